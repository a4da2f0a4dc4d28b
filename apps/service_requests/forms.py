"""Input shape only; the services hold the rules. Organization and member choices come from the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.organizations.forms import OrganizationChoiceField, OrganizationPickerInput, StyledFormMixin
from apps.organizations.models import Organization

from .choices import Channel, ClaimantKind, Satisfaction
from .models import ServiceCategory, ServicePost


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return str(obj)


def _categories_for(user: Any) -> Any:
    # The region's categories above the user and those defined below; the service checks that the one
    # chosen applies to the handling organization.
    return (
        ServiceCategory.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("parent")
        .order_by("sort_order", "id")
    )


class RequestRegisterForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices)
    requester_name = forms.CharField(label=_("群众姓名"), max_length=50)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    requester_address = forms.CharField(label=_("住址"), max_length=200, required=False)
    category = CategoryChoiceField(label=_("服务类别"), queryset=ServiceCategory.objects.none(), empty_label=None)
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrganizationChoiceField(user=user, label=_("承办组织")),
            **self.fields,
        }
        self.fields["organization"].widget.attrs.update({"class": "form-control org-picker"})
        self.fields["category"].queryset = _categories_for(user)
        org = getattr(user, "organization", None)
        if org is not None and not self.is_bound:
            self.initial.setdefault("organization", org)


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(StyledFormMixin, forms.Form):
    assignee_member = forms.ModelChoiceField(label=_("承办党员"), queryset=None, required=False)  # type: ignore[arg-type]
    assignee_agent = forms.CharField(label=_("代办员"), max_length=50, required=False)
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args: Any, user: Any, request_obj: Any = None, **kwargs: Any) -> None:
        from apps.members.models import Member

        super().__init__(*args, **kwargs)
        self.fields = {
            "assignee_org": OrganizationChoiceField(user=user, label=_("承办单位"), required=False),
            **self.fields,
        }
        members = Member.objects.visible_to(user).active()
        if request_obj is not None:  # members of the handling organization's subtree: a short list
            members = members.filter(org_path__startswith=request_obj.org_path)
        self.fields["assignee_member"].queryset = members.order_by("name").only("id", "name")
        self.fields["assignee_member"].empty_label = _("（不指定）")


class AnswerForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("佐证材料"), required=False)


class FollowUpForm(StyledFormMixin, forms.Form):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("转办理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrganizationChoiceField(user=user, label=_("转办至")), **self.fields}


class SuspendForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("挂起原因"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批意见"), choices=[("1", _("同意挂起")), ("0", _("不同意"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("说明"), required=False)


class StatsForm(StyledFormMixin, forms.Form):
    """The rates page's query: any date range (``from``/``to``; validated by ranges.parse_range)."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrganizationChoiceField(
            user=user, label=_("组织"), required=False, queryset=Organization.objects.visible_to(user)
        )
        for name, label in (("from", _("起始日期")), ("to", _("截止日期"))):  # "from" is a keyword: no attribute
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs={"type": "date", "class": "form-control"})
            )


class WishForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("心愿"), max_length=100)
    content = forms.CharField(label=_("心愿详情"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    beneficiary = forms.CharField(label=_("心愿人"), max_length=50, required=False)
    budget = forms.DecimalField(label=_("预算（元）"), max_digits=14, decimal_places=2, required=False, min_value=0)
    deadline = forms.DateField(label=_("期望实现日期"), required=False, widget=forms.DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrganizationChoiceField(user=user, label=_("发布社区")), **self.fields}
        if getattr(user, "organization", None) is not None and not self.is_bound:
            self.initial.setdefault("organization", user.organization)


class WishClaimForm(StyledFormMixin, forms.Form):
    claimant_kind = forms.ChoiceField(label=_("认领方类型"), choices=ClaimantKind.choices)
    claimant_name = forms.CharField(label=_("认领人/单位名称"), max_length=100, required=False)


class WishFulfilForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("实现情况"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("佐证照片"))


class CommunityPickerField(forms.CharField):
    """The community a member registers with may lie outside the user's scope: picked by name from all
    urban communities (its own suggestion endpoint, no scoped tree); a typed code still works."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            OrganizationPickerInput(
                lookup_url=reverse_lazy("service_requests:community_lookup"),
                tree=False,
                display_queryset=Organization.objects.filter(is_active=True),
                attrs={"placeholder": _("输入社区名称搜索")},
            ),
        )
        kwargs.setdefault("help_text", _("输入社区名称中的几个字，从提示中选择"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Organization | None:
        from .community import community_resolve

        value = (super().clean(value) or "").strip()
        if not value:
            return None
        org = community_resolve(value)
        if org is None:
            raise forms.ValidationError(_("找不到该社区，请输入社区名称并从提示中选择。"))
        return org


class RegistrationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("报到类型"), choices=ClaimantKind.choices)
    member = forms.ModelChoiceField(label=_("党员"), queryset=None, required=False)  # type: ignore[arg-type]
    community = CommunityPickerField(label=_("报到社区"))
    registered_on = forms.DateField(label=_("报到日期"), widget=forms.DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("备注"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from apps.members.models import Member

        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.visible_to(user).active().order_by("name").only("id", "name")
        self.fields["member"].empty_label = _("（单位报到时不选）")
        self.fields["unit"] = OrganizationChoiceField(user=user, label=_("或：单位党组织"), required=False)


class PostClaimForm(StyledFormMixin, forms.Form):
    post = forms.ModelChoiceField(label=_("公益性岗位"), queryset=ServicePost.objects.none(), empty_label=None)

    def __init__(self, *args: Any, registration: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = ServicePost.objects.filter(
            organization_id=registration.organization_id, is_active=True
        )


class RecordForm(StyledFormMixin, forms.Form):
    served_on = forms.DateField(label=_("服务日期"), widget=forms.DateInput(), initial=timezone.localdate)
    content = forms.CharField(label=_("服务内容"), max_length=300)
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=6, decimal_places=1, min_value=0, initial=2)
    people_served = forms.IntegerField(label=_("服务群众（人次）"), min_value=0, initial=0)
    disputes_resolved = forms.IntegerField(label=_("化解矛盾纠纷（起）"), min_value=0, initial=0)


class PostForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("岗位名称"), max_length=100)
    description = forms.CharField(label=_("岗位说明"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("需要人数"), min_value=1, initial=5)
