from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Organization
from .services import EDITABLE_FIELDS


class OrganizationChoiceField(forms.ModelChoiceField):
    """Pick an organization by code (or id) from the user's scope; a typeahead fills the code.

    A <select> of 100,000 organizations is unusable, so the widget is a text input with suggestions from
    the API (static/js/org-picker.js).
    """

    widget = forms.TextInput

    def __init__(self, *, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Organization.objects.visible_to(user).active())
        kwargs.setdefault("error_messages", {"invalid_choice": _("找不到该党组织，或不在您的管理范围内。")})
        kwargs.setdefault("help_text", _("输入组织代码或名称后从提示中选择"))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "class": "form-control org-picker",
                "autocomplete": "off",
                "data-org-picker": "1",
                "placeholder": _("组织代码"),
            }
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Organization):
            return value.code
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            org = self.queryset.filter(pk=value).only("code").first()
            return org.code if org else value
        return value

    def to_python(self, value: Any) -> Organization | None:
        if value in self.empty_values:
            return None
        value = str(value).strip().split(" ", 1)[0]
        org = self.queryset.filter(code=value).first()
        if org is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return org


class StyledFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[misc]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
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
