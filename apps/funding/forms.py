"""Form shapes only; choices come from the user's scope, rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.text import is_digits
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin
from apps.organizations.models import Organization

from .choices import ExpenseCategory, FundingSource, StandardBasis
from .models import FundingStandard
from .selectors import available_allocations


class OrgCodeField(OrganizationChoiceField):
    """Redisplays the typed code as is (demo codes are all digits, which the base field reads as ids)."""

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Organization) else value


def _style(form: forms.Form) -> None:
    """Style fields added after StyledFormMixin ran (the scoped pickers)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


def _blank(label: Any, choices: list) -> list:
    return [("", label), *choices]


def _this_year() -> int:
    return timezone.localdate().year


class StandardForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=_this_year)
    name = forms.CharField(label=_("标准名称"), max_length=100, help_text=_("如：社区党建工作经费"))
    basis = forms.ChoiceField(label=_("计算方式"), choices=_blank(_("请选择"), StandardBasis.choices))
    amount = forms.DecimalField(label=_("标准金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    source = forms.ChoiceField(label=_("经费来源"), choices=_blank(_("请选择"), FundingSource.choices))
    target_kind = forms.ChoiceField(label=_("适用组织类别"), choices=_blank(_("不限"), OrgKind.choices), required=False)
    target_sector = forms.ChoiceField(label=_("适用领域"), choices=_blank(_("不限"), Sector.choices), required=False)
    target_parent_kind = forms.ChoiceField(
        label=_("上级组织类别"), choices=_blank(_("不限"), OrgKind.choices), required=False,
        help_text=_("如只计直属乡镇党委的村党支部，选“党委”"),
    )  # fmt: skip
    top_level_only = forms.BooleanField(label=_("不含同类下级"), required=False, initial=True)
    growth_min_percent = forms.DecimalField(
        label=_("较上年增长不低于（%）"), max_digits=5, decimal_places=2, required=False,
        help_text=_("如“不低于10%的比例增加”，填10；不要求可留空"),
    )  # fmt: skip
    note = forms.CharField(label=_("依据/说明"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, region_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if region_editable:
            self.fields = {"region": OrgCodeField(user=user, label=_("适用地区（党组织）")), **self.fields}
        else:
            del self.fields["year"]
        _style(self)


class CopyForwardForm(StyledFormMixin, forms.Form):
    from_year = forms.IntegerField(label=_("复制哪一年的标准"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"region": OrgCodeField(user=user, label=_("地区（党组织）")), **self.fields}
        _style(self)


class BudgetForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=_this_year)
    source = forms.ChoiceField(label=_("经费来源"), choices=_blank(_("请选择"), FundingSource.choices))
    amount = forms.DecimalField(label=_("预算金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrgCodeField(user=user, label=_("党组织")), **self.fields}
        _style(self)


class StandardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FundingStandard) -> str:
        return f"{obj.year}年 {obj.name}（{obj.get_basis_display()} {obj.amount}元，{obj.get_source_display()}）"


class AllocateForm(StyledFormMixin, forms.Form):
    allocated_on = forms.DateField(label=_("下拨日期"), initial=timezone.localdate)
    title = forms.CharField(label=_("通知标题"), max_length=200, required=False, help_text=_("留空则自动生成"))

    def __init__(self, *args: Any, user: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = (
            FundingStandard.objects.visible_to(user)
            .filter(year=year)
            .select_related("region")
            .order_by("region__path", "id")
        )
        self.fields = {
            "standards": StandardChoiceField(
                label=_("依据标准（可多选，同一地区）"), queryset=qs, widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("请至少选择一项经费标准。")},
            ),
            **self.fields,
        }  # fmt: skip
        _style(self)
        self.fields["standards"].widget.attrs["class"] = "form-check-input"


class ManualAllocationForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=_this_year)
    source = forms.ChoiceField(label=_("经费来源"), choices=_blank(_("请选择"), FundingSource.choices))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    basis = forms.CharField(label=_("下拨依据"), max_length=300, help_text=_("专项名称、文件或会议纪要，如“一事一议”"))
    allocated_on = forms.DateField(label=_("下拨日期"), initial=timezone.localdate)
    title = forms.CharField(label=_("通知标题"), max_length=200, required=False, help_text=_("留空则自动生成"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "issuer": OrgCodeField(user=user, label=_("下拨单位"), initial=getattr(user, "organization", None)),
            "organization": OrgCodeField(user=user, label=_("收款单位")),
            **self.fields,
        }
        _style(self)


class AllocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organization.name} · {obj.label}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ExpenseForm(StyledFormMixin, forms.Form):
    spent_on = forms.DateField(label=_("支出日期"), initial=timezone.localdate)
    category = forms.ChoiceField(label=_("支出类别"), choices=_blank(_("请选择"), ExpenseCategory.choices))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    purpose = forms.CharField(label=_("用途"), max_length=300)
    approved_by = forms.CharField(label=_("审批人"), max_length=50, help_text=_("按财务制度审批本笔支出的负责人"))
    vouchers = MultipleFileField(
        label=_("凭证（发票、收据、照片或PDF，可多选）"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, allocation_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The user's own organization's money, plus the one allocation picked on its page (staff above may record
        # for an organization below from there): never a select of a whole province's allocations.
        own = Q(organization_id=getattr(user, "organization_id", None))
        if is_digits(str(allocation_id)):
            own |= Q(pk=int(allocation_id))
        choices = available_allocations(user=user).filter(own)
        self.fields = {
            "allocation": AllocationChoiceField(
                label=_("使用经费"), queryset=choices, empty_label=_("请选择有余额的经费"),
                error_messages={"invalid_choice": _("该笔经费不存在、不在您的管理范围内或已用完。")},
            ),
            **self.fields,
        }  # fmt: skip
        _style(self)


class VoucherForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("凭证文件"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    )


class ReverseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("审核意见（退回时必填）"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：发票抬头不符，请补正后重新提交")}),
    )  # fmt: skip


class ExpenseResubmitForm(StyledFormMixin, forms.Form):
    spent_on = forms.DateField(label=_("支出日期"))
    category = forms.ChoiceField(label=_("支出类别"), choices=_blank(_("请选择"), ExpenseCategory.choices))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    purpose = forms.CharField(label=_("用途"), max_length=300)
    approved_by = forms.CharField(label=_("审批人"), max_length=50, help_text=_("按财务制度审批本笔支出的负责人"))
