"""本单位设置 → 服务类别: the categories (and their time limits in working days) an organization defines for
everything below it. Its own categories are edited here; those of the organizations above are shown, read
only, because they apply too. Every save goes through services.category_save (scoped, validated, audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.core.scoping import org_in_scope_or_own, user_scope_path
from apps.core.views import ServiceFormView
from apps.organizations.forms import StyledFormMixin

from . import services
from .models import ServiceCategory

PERM = "service_requests.change_servicecategory"


def settings_allowed(user: Any) -> bool:
    return user.has_perm(PERM) and (user.organization is not None or user.is_superuser)


def owner_of(user: Any) -> Any:
    """The organization whose categories a user edits: their own (a superuser without one: the root)."""
    return org_in_scope_or_own(user)


class _Allowed(LoginRequiredMixin):
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm(PERM):
            raise PermissionDenied(_("您的角色不能修改服务类别设置。"))
        return super().dispatch(request, *args, **kwargs)


class CategorySettingsView(_Allowed, TemplateView):
    template_name = "service_requests/settings_categories.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        owner = owner_of(self.request.user)
        usable = list(ServiceCategory.objects.listed_at(owner).order_by("sort_order", "id"))
        orgs = {c.organization_id for c in usable}
        from apps.organizations.models import Organization

        names = dict(Organization.objects.filter(pk__in=orgs).values_list("pk", "name"))
        tops = [c for c in usable if c.parent_id is None]
        children: dict[int, list[ServiceCategory]] = {}
        for c in usable:
            if c.parent_id is not None:
                children.setdefault(c.parent_id, []).append(c)
        ctx.update(
            owner=owner,
            rows=[(c, children.get(c.pk, [])) for c in tops],
            org_names=names,
            create_url=reverse("service_requests:category_create"),
        )
        return ctx


class _ParentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return obj.name


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("类别名称"),
        max_length=50,
        error_messages={
            "required": gettext_lazy("请填写类别名称。"),
            "max_length": gettext_lazy("类别名称最多50个字。"),
        },
    )
    parent = _ParentField(
        label=gettext_lazy("上级类别"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无，作为一级类别）"),
    )
    response_limit_days = forms.IntegerField(label=gettext_lazy("受理时限（工作日）"), initial=1)
    closure_limit_days = forms.IntegerField(label=gettext_lazy("办结时限（工作日）"), initial=5)
    follow_up_days = forms.IntegerField(
        label=gettext_lazy("回访时限（工作日）"),
        initial=3,
        help_text=gettext_lazy("办结后多少个工作日内须完成回访；逾期未回访的事项于次日夜间自动关闭（计为未回访）。"),
    )
    sort_order = forms.IntegerField(label=gettext_lazy("排序"), initial=0, min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), initial=True, required=False)

    def __init__(self, *args: Any, owner: Any, category: ServiceCategory | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("response_limit_days", "closure_limit_days", "follow_up_days", "sort_order"):
            label = str(self.fields[name].label).split("（")[0]
            message = _("%(label)s须填写整数。") % {"label": label}
            self.fields[name].error_messages.update(required=message, invalid=message)
        self.fields["parent"].error_messages["invalid_choice"] = _("上级类别不适用于该区域。")
        parents = ServiceCategory.objects.usable_at(owner.path).filter(parent__isnull=True)
        if category is not None:
            parents = parents.exclude(pk=category.pk)
        self.fields["parent"].queryset = parents.order_by("sort_order", "id")


class _CategoryFormView(_Allowed, ServiceFormView):
    model = ServiceCategory
    permission_required = (PERM,)
    form_class = CategoryForm
    template_name = "service_requests/form.html"
    object_model = ServiceCategory
    success_message = gettext_lazy("服务类别已保存。")

    def optimize_object_qs(self, model: Any) -> QuerySet:
        # only the user's own organization's categories are edited here (the ancestors' are read only)
        prefix = user_scope_path(self.request.user)
        owner = owner_of(self.request.user)
        return model.objects.filter(organization=owner) if prefix is not None else model.objects.none()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(owner=owner_of(self.request.user), category=self.object)
        return kwargs

    def list_url(self) -> str:
        return reverse("service_requests:category_settings")

    def cancel_url(self) -> str:
        return self.list_url()

    def success_url_for(self, result: Any) -> str:
        return self.list_url()

    def run_service(self, form: Any) -> ServiceCategory:
        return services.category_save(
            acting_user=self.request.user, organization=owner_of(self.request.user), category=self.object,
            **form.cleaned_data,
        )  # fmt: skip


class CategoryCreateView(_CategoryFormView):
    permission_required = ("service_requests.add_servicecategory",)
    title = gettext_lazy("新增服务类别")


class CategoryEditView(_CategoryFormView):
    title = gettext_lazy("修改服务类别")

    def get_initial(self) -> dict[str, Any]:
        c = self.object
        return {name: getattr(c, name) for name in services.CATEGORY_FIELDS}
