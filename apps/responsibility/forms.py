"""Input shape only; the services hold the rules. Organization choices come from the user's scope."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.periods import Period
from apps.organizations.choices import BRANCH_KINDS, OrgKind, Sector
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin
from apps.organizations.models import Organization

from .choices import DeadlineClass, DutyPost, ItemType, MeetingKind, ProblemSource, Severity, TaskStatus
from .models import MonthlyLedger

ABSENCE_REASONS = ["因病请假", "因公外出", "流动在外", "年老体弱", "事假"]


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=timezone.localdate().year)


class PeriodField(forms.CharField):
    default_error_messages = {"invalid": _("请选择有效的月份，例如 2026-11。")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})

    def to_python(self, value: Any) -> Period | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Period.parse(value)
        except Exception as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Period) else value


class _OrgForm(StyledFormMixin, forms.Form):
    org_label = _("责任组织")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrganizationChoiceField(user=user, label=self.org_label), **self.fields}


class TaskForm(_OrgForm):
    year = _year_field()
    content = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.CharField(label=_("目标要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput())
    due_quarter = forms.TypedChoiceField(
        label=_("或：完成季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(q, f"第{q}季度") for q in range(1, 5)]],
    )


class TaskEditForm(StyledFormMixin, forms.Form):
    content = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.CharField(label=_("目标要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("完成时限"), widget=forms.DateInput())


class TaskProgressForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    completed_on = forms.DateField(label=_("完成日期"), required=False, widget=forms.DateInput())
    evidence = forms.CharField(label=_("完成佐证"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(_OrgForm):
    year = _year_field()
    source = forms.ChoiceField(label=_("问题来源"), choices=ProblemSource.choices)
    category = forms.CharField(label=_("问题类别"), max_length=50)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    found_on = forms.DateField(label=_("发现日期"), widget=forms.DateInput(), initial=timezone.localdate)
    deadline_class = forms.ChoiceField(label=_("整改时限类别"), choices=DeadlineClass.choices)
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput())
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(label=_("责任人"), required=False, max_length=50)
    responsible_unit = forms.CharField(label=_("责任单位"), required=False, max_length=100)


class DutyForm(_OrgForm):
    year = _year_field()
    person_name = forms.CharField(label=_("责任人"), max_length=50)
    post = forms.ChoiceField(label=_("职务"), choices=DutyPost.choices)
    duties = forms.CharField(label=_("责任内容"), widget=forms.Textarea(attrs={"rows": 4}))


class DutyEditForm(StyledFormMixin, forms.Form):
    person_name = forms.CharField(label=_("责任人"), max_length=50)
    post = forms.ChoiceField(label=_("职务"), choices=DutyPost.choices)
    duties = forms.CharField(label=_("责任内容"), widget=forms.Textarea(attrs={"rows": 4}))


class IssueForm(StyledFormMixin, forms.Form):
    """One item, written once, for many organizations below."""

    item_type = forms.ChoiceField(label=_("清单类型"), choices=ItemType.choices)
    year = _year_field()
    title = forms.CharField(label=_("标题/内容"), max_length=200)
    target = forms.CharField(label=_("目标要求（任务）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("完成时限/整改期限"), required=False, widget=forms.DateInput())
    due_quarter = forms.TypedChoiceField(
        label=_("或：完成季度（任务）"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(q, f"第{q}季度") for q in range(1, 5)]],
    )
    source = forms.ChoiceField(label=_("问题来源（问题）"), choices=ProblemSource.choices, required=False)
    category = forms.CharField(label=_("问题类别（问题）"), required=False, max_length=50)
    severity = forms.ChoiceField(label=_("严重程度（问题）"), choices=Severity.choices, required=False)
    deadline_class = forms.ChoiceField(label=_("整改时限类别（问题）"), choices=DeadlineClass.choices, required=False)
    post = forms.ChoiceField(label=_("职务（责任）"), choices=DutyPost.choices, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("下发对象类别"),
        required=False,
        choices=[c for c in OrgKind.choices if c[0] != OrgKind.PARTY_GROUP],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为全部类别"),
    )
    sectors = forms.MultipleChoiceField(
        label=_("下发对象领域"),
        required=False,
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为全部领域"),
    )

    # Each kind of item shows only its own fields (one form per kind: 任务 / 问题 / 责任).
    KIND_FIELDS = {
        ItemType.TASK: {"target", "due_date", "due_quarter"},
        ItemType.PROBLEM: {"source", "category", "severity", "deadline_class", "due_date"},
        ItemType.DUTY: {"post"},
    }
    KIND_LABELS = {
        "title": {ItemType.TASK: _("任务内容"), ItemType.PROBLEM: _("问题描述"), ItemType.DUTY: _("责任内容")},
        "due_date": {ItemType.TASK: _("完成时限"), ItemType.PROBLEM: _("整改期限")},
    }

    def __init__(self, *args: Any, user: Any, item_type: str = ItemType.TASK, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.item_type = item_type
        all_kind_fields = set().union(*self.KIND_FIELDS.values())
        for name in all_kind_fields - self.KIND_FIELDS[item_type]:
            del self.fields[name]
        for name, labels in self.KIND_LABELS.items():
            if name in self.fields and item_type in labels:
                self.fields[name].label = labels[item_type]
        for name in ("target", "due_quarter", "source", "category", "severity", "deadline_class", "post"):
            if name in self.fields:
                self.fields[name].label = re.sub(r"（(任务|问题|责任)）$", "", str(self.fields[name].label))
        if "due_quarter" in self.fields:
            self.fields["due_quarter"].label = _("或：完成季度")
        self.fields["item_type"].initial = item_type
        self.fields["item_type"].widget = forms.HiddenInput()
        self.fields = {
            "issuer": OrganizationChoiceField(user=user, label=_("下发组织"), initial=user.organization),
            **self.fields,
            "roots": forms.CharField(
                label=_("下发范围（党组织名称，多个用逗号分隔）"),
                required=False,
                help_text=_("不填则为下发组织以下全部；可填组织名称或组织代码"),
                widget=forms.TextInput(
                    attrs={"class": "form-control", "placeholder": _("如：春华社区委员会，长青社区委员会")}
                ),
            ),
        }
        for name in ("kinds", "sectors"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_roots(self) -> list[Organization]:
        """Names (or codes) of the subtrees to issue to, each resolved in the user's scope."""
        parts = [c.strip() for c in re.split(r"[,，、;；\n]", self.cleaned_data.get("roots", "")) if c.strip()]
        visible = Organization.objects.visible_to(self.user)
        found, missing = [], []
        for part in parts:
            matches = list(visible.filter(Q(code=part) | Q(name=part))[:2]) or list(
                visible.filter(name__contains=part)[:2]
            )
            if len(matches) == 1:
                found.append(matches[0])
            else:
                missing.append(part if not matches else _("%(p)s（有多个同名组织，请填写完整名称）") % {"p": part})
        if missing:
            raise forms.ValidationError(_("找不到这些党组织，或不在您的管理范围内：%(c)s") % {"c": "、".join(missing)})
        return found


class RectificationForm(StyledFormMixin, forms.Form):
    measures = forms.CharField(
        label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("每行一条措施")
    )
    responsible_person = forms.CharField(label=_("责任人"), required=False, max_length=50)
    responsible_unit = forms.CharField(label=_("责任单位"), required=False, max_length=100)
    deadline_class = forms.ChoiceField(label=_("整改时限类别"), choices=DeadlineClass.choices)
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput())


class ProgressForm(StyledFormMixin, forms.Form):
    month = PeriodField(label=_("月份"), initial=lambda: str(Period.current()))
    content = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(StyledFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("完成日期"), widget=forms.DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class SignoffForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("销号意见"), choices=[("approve", _("同意销号")), ("refuse", _("不同意，继续整改"))]
    )
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecheckForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("回头看情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(label=_("问题反弹，重新整改"), required=False)


class LedgerOpenForm(StyledFormMixin, forms.Form):
    month = PeriodField(label=_("月份"), initial=lambda: str(Period.current()))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = getattr(user, "organization", None)
        self.fields = {
            "branch": OrganizationChoiceField(user=user, label=_("党支部"), initial=own),
            **self.fields,
        }
        if own is not None and own.kind in BRANCH_KINDS:
            # A branch's own people fill in their own branch's ledger: shown, prefilled, not to be typed.
            self.fields["branch"].widget.attrs.update(readonly=True, tabindex="-1")
            self.fields["branch"].widget.attrs.pop("data-org-picker", None)
            self.fields["branch"].help_text = own.name


class LedgerForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MonthlyLedger
        fields = ["task_progress", "rectification_progress", "notes"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


def expected_at(member: Any, *, kind: str, party_group_id: int | None) -> bool:
    """The form's side of attendance.expected_members (same rule, on the roster already loaded)."""
    from .attendance import COMMITTEE_POSTS

    if getattr(member, "hosted", False):
        # an inflow member (流入党员) joins the host branch's meetings of all members, not its committee or groups
        return kind not in (MeetingKind.COMMITTEE_MEETING, MeetingKind.GROUP_MEETING)
    if kind == MeetingKind.COMMITTEE_MEETING:
        return member.party_post in COMMITTEE_POSTS
    if kind == MeetingKind.GROUP_MEETING and party_group_id:
        return member.party_group_id == party_group_id
    return True


class MeetingForm(StyledFormMixin, forms.Form):
    """Phone-first: the roster as a checklist (ticked = present); an unticked member needs a reason."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("召开日期"), widget=forms.DateInput())
    topic = forms.CharField(label=_("主题"), max_length=200)
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, ledger: MonthlyLedger, roster: list[Any], groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.ledger = ledger
        if groups:
            self.fields["party_group"] = forms.TypedChoiceField(
                label=_("党小组（党小组会必选）"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *[(g.pk, g.name) for g in groups]],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        if roster:
            self.fields["attendees"] = forms.TypedMultipleChoiceField(
                label=_("出席人员"),
                required=False,
                coerce=int,
                choices=[(m.pk, m.name) for m in roster],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
            for m in roster:
                self.fields[f"reason_{m.pk}"] = forms.CharField(
                    label=_("%(n)s 缺席原因") % {"n": m.name},
                    required=False,
                    max_length=100,
                    widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "list": "absence-reasons"}),
                )
        else:
            attrs = {"class": "form-control", "inputmode": "numeric"}
            self.fields["attendee_count"] = forms.IntegerField(
                label=_("实到人数"), min_value=0, initial=0, widget=forms.NumberInput(attrs=attrs)
            )
            self.fields["absentee_count"] = forms.IntegerField(
                label=_("缺席人数"), min_value=0, initial=0, widget=forms.NumberInput(attrs=attrs)
            )

    def clean(self) -> dict[str, Any]:
        # The service checks absences too, but only runs once every field is valid: listing missing
        # reasons here as well shows them together with, say, a bad date (one pass of errors, not two).
        data = super().clean()
        held_on, period = data.get("held_on"), self.ledger.period
        if held_on and not (period.first_day <= held_on <= period.last_day):
            self.add_error(
                "held_on",
                _("会议日期（%(d)s）须在台账月份（%(p)s）之内。")
                % {"d": held_on.strftime("%Y-%m-%d"), "p": period.label},
            )
        if self.roster and data.get("kind"):
            gid = data.get("party_group")
            expected = [m for m in self.roster if expected_at(m, kind=data["kind"], party_group_id=gid)] or self.roster
            present = set(data.get("attendees") or [])
            missing = [m for m in expected if m.pk not in present and not (data.get(f"reason_{m.pk}") or "").strip()]
            for m in missing:
                self.add_error(f"reason_{m.pk}", _("请填写缺席原因。"))
            if missing:
                self.add_error(None, _("请填写缺席原因：%(n)s。") % {"n": "、".join(m.name for m in missing)})
        return data

    def reason_fields(self) -> list[tuple[Any, Any, bool]]:
        """(member, reason field, ticked present) for each roster member."""
        ticked = {str(v) for v in (self["attendees"].value() or [])}
        return [(m, self[f"reason_{m.pk}"], str(m.pk) in ticked) for m in self.roster]

    def visible_main_fields(self) -> list[Any]:
        return [f for f in self.visible_fields() if not f.name.startswith("reason_") and f.name != "attendees"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data["topic"],
            "place": data.get("place", ""),
            "minutes": data.get("minutes", ""),
        }
        if "party_group" in self.fields:
            gid = data.get("party_group")
            kwargs["party_group"] = Organization.objects.filter(pk=gid).first() if gid else None
        if self.roster:
            # Only those expected at this kind of meeting are present or absent: the committee at a committee
            # meeting, the group's members at a group meeting, everyone at the others.
            gid = kwargs.get("party_group").pk if kwargs.get("party_group") else None
            # (No committee or group recorded on the roster yet: everyone is listed.)
            expected = [m for m in self.roster if expected_at(m, kind=data["kind"], party_group_id=gid)] or self.roster
            present = set(data.get("attendees") or []) & {m.pk for m in expected}
            kwargs["attendees"] = sorted(present)
            kwargs["absentees"] = {m.pk: data.get(f"reason_{m.pk}", "") for m in expected if m.pk not in present}
        else:
            kwargs["attendee_count"] = data.get("attendee_count") or 0
            kwargs["absentee_count"] = data.get("absentee_count") or 0
        return kwargs


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("附件"))


class ReviewForm(StyledFormMixin, forms.Form):
    """No default decision: the reviewer presses 通过 or 退回 (a return needs a reason, checked by the service)."""

    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("", _("请选择")), ("approve", _("通过")), ("return", _("退回修改"))],
        error_messages={"required": _("请选择“通过”或“退回”。")},
    )
    comment = forms.CharField(
        label=_("审核意见（退回时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class _CodeChoiceField(OrganizationChoiceField):
    """Redisplays the typed code as is (organization codes are all digits, which the base field reads as ids)."""

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Organization) else value


class RollupForm(StyledFormMixin, forms.Form):
    month = PeriodField(label=_("月份"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "org": _CodeChoiceField(user=user, label=_("党组织"), required=False),
            **self.fields,
        }
