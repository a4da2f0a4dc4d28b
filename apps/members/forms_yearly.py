"""Forms of the yearly cycle (dues, appraisal, points, contact reviews, mobility): input shape only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.organizations.forms import StyledFormMixin

from .dues_models import ArrearsOutcome, DuesCategory, ReductionKind


class MonthField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("月份"))
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"type": "month", "class": "form-control"})

    def to_python(self, value: Any) -> Any:
        from apps.core.periods import Period

        value = super().to_python(value)
        if not value:
            return None
        from django.core.exceptions import ValidationError

        try:
            return Period.parse(value)
        except ValidationError as exc:
            raise ValidationError(_("月份格式应为 YYYY-MM，例如 2026-11。")) from exc


class DuesBaseForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("党员类别"), choices=DuesCategory.choices)
    base = forms.DecimalField(
        label=_("交纳基数（月税后工资/养老金，元）"), max_digits=14, decimal_places=2, min_value=0
    )
    reduction = forms.ChoiceField(label=_("减免"), choices=ReductionKind.choices, required=False)
    reduced_amount = forms.DecimalField(label=_("减交后每月金额"), max_digits=14, decimal_places=2, required=False)
    reduction_reason = forms.CharField(label=_("减免原因"), max_length=200, required=False)
    committee_decided_on = forms.DateField(label=_("支委会决定日期"), required=False, widget=forms.DateInput())
    approved_on = forms.DateField(label=_("上级党组织批准日期"), required=False, widget=forms.DateInput())
    approved_by_org = forms.CharField(label=_("批准的上级党组织"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class DuesArrearsNoteForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("处理情况"), choices=ArrearsOutcome.choices)
    reason = forms.CharField(label=_("原因说明/谈话情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    recorded_on = forms.DateField(label=_("记录日期"), widget=forms.DateInput(), initial=timezone.localdate)
    decided_on = forms.DateField(
        label=_("支部大会决定日期"), required=False, widget=forms.DateInput(), help_text=_("仅在按自行脱党处理时填写")
    )


class DuesHandoverForm(StyledFormMixin, forms.Form):
    month = MonthField()
    amount = forms.DecimalField(label=_("上缴金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    handed_on = forms.DateField(label=_("上缴日期"), widget=forms.DateInput(), initial=timezone.localdate)
    receiver = forms.CharField(label=_("接收单位"), max_length=100, required=False)


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    year = forms.IntegerField(label=_("年度（基数导入）"), required=False, min_value=2000, max_value=2100)
    month = MonthField(required=False, label=_("月份（交纳导入，可由表中“月份”列给出）"))
