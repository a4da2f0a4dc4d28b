from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MonthInput
from apps.core.periods import Period
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin

from .choices import AccountabilityKind, LetterKind, Severity


class PeriodField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("月份"))
        kwargs.setdefault("widget", MonthInput())
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Period | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return Period.parse(value)
        except ValidationError as exc:
            raise ValidationError(_("请选择有效的月份，例如 2026-11。")) from exc


class LetterCreateForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("函件类别"), choices=LetterKind.choices)
    period = PeriodField()
    items = forms.CharField(
        label=_("函件事项"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一项，最多200项"),
        max_length=20000,
    )
    response_days = forms.IntegerField(label=_("答复期限（天）"), min_value=1, max_value=90, initial=7)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"addressee": OrganizationChoiceField(user=user, label=_("收函单位")), **self.fields}
        self.fields["addressee"].widget.attrs.setdefault("class", "form-control org-picker")


class LetterAnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写答复内容。")},
        max_length=20000,
    )
    files = forms.FileField(label=_("附件"), required=False)


class LetterCloseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("办结意见"), required=False, max_length=500)


class AccountabilityOpenForm(StyledFormMixin, forms.Form):
    basis = forms.CharField(
        label=_("问责依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写问责依据。")},
    )


class AccountabilityDecideForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("问责方式"), choices=[c for c in AccountabilityKind.choices if c[0] != AccountabilityKind.PENDING]
    )
    decision = forms.CharField(label=_("处理决定"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class InspectionPlanForm(StyledFormMixin, forms.Form):
    topic = forms.CharField(label=_("督查主题"), max_length=200)
    period = PeriodField()
    target_kinds = forms.MultipleChoiceField(
        label=_("组织类别"), choices=OrgKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    target_sectors = forms.MultipleChoiceField(
        label=_("所属领域"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    method_reports = forms.BooleanField(label=_("听取汇报"), required=False, initial=True)
    method_documents = forms.BooleanField(label=_("查阅资料"), required=False, initial=True)
    method_site_visit = forms.BooleanField(label=_("实地查看"), required=False)
    start_on = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.accounts.models import User

        self.fields = {"target_root": OrganizationChoiceField(user=user, label=_("督查范围（含下级）")), **self.fields}
        self.fields["inspectors"] = forms.ModelMultipleChoiceField(
            label=_("督查组成员"),
            queryset=User.objects.visible_to(user).filter(is_active=True).order_by("organization__path", "username"),
            required=False,
            widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        )


class InspectionRecordForm(StyledFormMixin, forms.Form):
    inspected_on = forms.DateField(label=_("督查日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("督查情况"), widget=forms.Textarea(attrs={"rows": 4}))
    score = forms.DecimalField(label=_("得分"), required=False, max_digits=5, decimal_places=1)


class FindingForm(StyledFormMixin, forms.Form):
    category = forms.CharField(label=_("问题类别"), max_length=50)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    rectify_by = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ObservationVisitForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("观摩主题"), max_length=200)
    period = PeriodField()
    visit_on = forms.DateField(label=_("观摩日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ObservationScoreForm(StyledFormMixin, forms.Form):
    score = forms.DecimalField(label=_("得分"), max_digits=5, decimal_places=1)
    comment = forms.CharField(label=_("评语"), required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"target": OrganizationChoiceField(user=user, label=_("被观摩组织")), **self.fields}
