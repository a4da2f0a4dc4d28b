from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.text import is_digits

from .models import Organization
from .services import EDITABLE_FIELDS


class OrganizationPickerInput(forms.Widget):
    """Pick an organization by its **name**: a search box (suggestions from the scoped lookup endpoint) and a
    tree browser (children loaded level by level from the scoped picker endpoint), both keyboard operable
    (static/js/org-picker.js); a hidden input carries the chosen organization's code (or id, with
    ``value_key="id"``). Typing a code or an exact name without picking still works (the field resolves it),
    so the page also works without JavaScript.

    In a filter panel the widget shows the chosen organization's name: ``user`` (set by
    ``OrganizationFilter``) scopes that one lookup, so an out-of-scope code never reveals a name."""

    template_name = "organizations/widgets/org_picker.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        value_key: str = "code",
        lookup_url: Any = None,
        tree: bool = True,
        display_queryset: Any = None,
    ) -> None:
        """``lookup_url``/``tree=False``/``display_queryset``: a picker over another set of organizations than
        the user's scope (e.g. any community, for 双报到) — its own search endpoint, no scoped tree."""
        super().__init__(attrs)
        self.display = ""
        self.value_key = value_key
        self.user: Any = None
        self.lookup_url = lookup_url
        self.tree = tree
        self.display_queryset = display_queryset

    @property
    def companion_params(self) -> tuple[str, ...]:
        return ("_search",)

    def display_label(self, value: Any) -> str:
        """The name shown for a submitted value (a code or an id), looked up in the user's scope."""
        text = str(value or "").strip()
        if self.display_queryset is not None:
            qs = self.display_queryset
        elif not text or self.user is None:
            return text
        else:
            qs = Organization.objects.visible_to(self.user)
        if self.value_key == "id":
            qs = qs.filter(pk=int(text)) if is_digits(text) and len(text) < 16 else qs.none()
        else:
            qs = qs.filter(code=text)
        return qs.values_list("name", flat=True).first() or text

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        if isinstance(value, tuple):
            code, label = value
        else:
            code = value or ""
            label = self.display_label(code) if code else ""
        ctx["widget"].update(
            code=code,
            label=label,
            search_name=f"{name}_search",
            value_key=self.value_key,
            tree_url=reverse_lazy("organizations:organization_picker") if self.tree else "",
            lookup_url=self.lookup_url or reverse_lazy("organizations:organization_lookup"),
        )
        return ctx

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) or data.get(f"{name}_search") or None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_search" not in data


class OrganizationChoiceField(forms.ModelChoiceField):
    """Pick an organization in the user's scope by name (search box with suggestions) — never a raw code.

    A <select> of 100,000 organizations is unusable, so the widget is a search box backed by the scoped
    lookup endpoint; the form receives the code, or what was typed (a code or an exact name).
    """

    widget = OrganizationPickerInput

    def __init__(self, *, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Organization.objects.visible_to(user).active())
        kwargs.setdefault("error_messages", {"invalid_choice": _("找不到该党组织，或不在您的管理范围内。")})
        kwargs.setdefault("help_text", _("输入党组织名称中的几个字，从提示中选择"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": _("输入名称搜索，或点右侧按钮浏览")})
        self.widget.user = user  # a code redisplayed after an error shows the organization's name

    def prepare_value(self, value: Any) -> Any:
        """(code, name shown in the box)."""
        if isinstance(value, Organization):
            return (value.code, value.name)
        if value in self.empty_values:
            return ("", "")
        org = (
            self.queryset.filter(Q(code=str(value)) | Q(pk=int(value) if is_digits(str(value)) else -1))
            .only("code", "name")
            .first()
        )
        return (org.code, org.name) if org else (str(value), str(value))

    def to_python(self, value: Any) -> Organization | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        org = self.queryset.filter(code=value.split(" ", 1)[0]).first() or self._by_name(value)
        if org is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return org

    def _by_name(self, value: str) -> Organization | None:
        """An exact name, or a fragment that matches exactly one organization in scope."""
        exact = list(self.queryset.filter(name=value)[:2])
        if len(exact) == 1:
            return exact[0]
        some = list(self.queryset.filter(name__contains=value)[:2])
        return some[0] if len(some) == 1 else None


class StyledFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[misc]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                pass  # and CheckboxSelectMultiple: a class would land on the list's box as well as on each box
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    """Input shape only. The service checks every rule (uniqueness, placement, dates, ranges) and reports
    them together, so ModelForm's own model validation is skipped."""

    def _post_clean(self) -> None:
        pass

    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS
        widgets = {"established_on": forms.DateInput(), "term_started_on": forms.DateInput()}


class OrganizationUpdateForm(OrganizationForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_model = Organization.secretary_member.field.related_model  # members sit above organizations

        self.fields["secretary_member"].queryset = (
            member_model.objects.visible_to(user).active().in_subtree(self.instance).order_by("name").only("id", "name")
        )
        from .services import RATED_BY_ABOVE, rates_from_above

        if not rates_from_above(user, self.instance):
            for name in RATED_BY_ABOVE:  # rated by the level above: shown, not editable here
                self.fields[name].disabled = True
                self.fields[name].help_text = _("由上级党组织评定")


class OrganizationCreateForm(OrganizationForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("secretary_member")  # a new organization has no members yet
        self.fields = {
            "parent": OrganizationChoiceField(user=user, label=_("上级党组织"), required=not user.is_superuser),
            **self.fields,
        }


class OrganizationMoveForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = OrganizationChoiceField(user=user, label=_("新的上级党组织"))


class OrganizationDissolveForm(StyledFormMixin, forms.Form):
    dissolved_on = forms.DateField(label=_("撤销日期"), widget=forms.DateInput())
    note = forms.CharField(label=_("撤销依据/说明"), max_length=200, required=False)
