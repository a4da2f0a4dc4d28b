"""Responsibility lists, the rectification ledger, the monthly ledger and their pre-aggregated stats."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.periods import Period

from . import querysets as qs
from .choices import (
    DeadlineClass,
    DutyPost,
    ItemType,
    LedgerStatus,
    MeetingKind,
    ProblemSource,
    RectificationStatus,
    RequirementPeriod,
    Severity,
    TaskStatus,
)
from .validators import validate_attachment

ORG = "organizations.Organization"
_NUM = r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})"
_MEASURE_NUMBER = re.compile(rf"^(?:[(（]?\s*{_NUM}\s*[)）]|{_NUM}\s*(?:[.．](?!\d)|[、:：)）]))\s*")


class OrgOwned(models.Model):
    """Common part: the owning organization and a copy of its path (kept by organization_move)."""

    organization = models.ForeignKey(
        ORG, verbose_name=_("责任组织"), on_delete=models.PROTECT, related_name="resp_%(class)ss"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    AUDIT_EXCLUDE = ("org_path",)

    class Meta:
        abstract = True


class Issuance(models.Model):
    """An item written once by an upper organization and issued to many organizations below."""

    issuer = models.ForeignKey(ORG, verbose_name=_("下发组织"), on_delete=models.PROTECT, related_name="resp_issuances")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    item_type = models.CharField(_("清单类型"), max_length=10, choices=ItemType.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    issued_on = models.DateField(_("下发日期"))
    selection = models.JSONField(_("下发范围"), default=dict)
    assignee_count = models.PositiveIntegerField(_("下发组织数"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下发人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = qs.IssuanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单下发")
        verbose_name_plural = _("清单下发")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_item_type_display()}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:issuance_detail", args=[self.pk])

    # How the JSON fields read in 变更历史 (never as Python dicts).
    PAYLOAD_LABELS = {
        "content": _("任务内容"),
        "target": _("目标要求"),
        "source": _("问题来源"),
        "category": _("问题类别"),
        "description": _("问题描述"),
        "severity": _("严重程度"),
        "measures": _("整改措施"),
        "deadline_class": _("整改时限类别"),
        "post": _("职务"),
        "duties": _("责任内容"),
    }
    PAYLOAD_CHOICES = {
        "source": ProblemSource,
        "severity": Severity,
        "deadline_class": DeadlineClass,
        "post": DutyPost,
    }

    @classmethod
    def audit_display_value(cls, name: str, value: object) -> str | None:
        if not isinstance(value, dict):
            return None
        parts = []
        if name == "payload":
            for key, val in value.items():
                if val in (None, "", [], {}) or key not in cls.PAYLOAD_LABELS:
                    continue
                choices = cls.PAYLOAD_CHOICES.get(key)
                shown = dict(choices.choices).get(val, val) if choices else val
                parts.append(f"{cls.PAYLOAD_LABELS[key]}：{shown}")
        elif name == "selection":
            from apps.organizations.choices import OrgKind, Sector
            from apps.organizations.models import Organization

            roots = list(Organization.objects.filter(pk__in=value.get("roots") or []).values_list("name", flat=True))
            parts.append(_("范围：%(r)s") % {"r": "、".join(roots) if roots else _("全部下级党组织")})
            if value.get("kinds"):
                kinds = dict(OrgKind.choices)
                parts.append(_("组织类别：%(k)s") % {"k": "、".join(str(kinds.get(k, k)) for k in value["kinds"])})
            if value.get("sectors"):
                sectors = dict(Sector.choices)
                parts.append(_("领域：%(s)s") % {"s": "、".join(str(sectors.get(k, k)) for k in value["sectors"])})
            if value.get("due_quarter"):
                parts.append(_("完成季度：第%(q)s季度") % {"q": value["due_quarter"]})
        else:
            return None
        return "；".join(str(p) for p in parts) or "（空）"


class TaskItem(OrgOwned):
    """任务清单: what an organization must do, by when."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    issuance = models.ForeignKey(
        Issuance, verbose_name=_("来源下发"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    content = models.TextField(_("任务内容"))
    target = models.TextField(_("目标要求"), blank=True)
    issued_on = models.DateField(_("下达日期"), default=datetime.date.today)
    due_date = models.DateField(_("完成时限"), db_index=True)
    due_quarter = models.PositiveSmallIntegerField(
        _("完成季度"), null=True, blank=True, choices=[(q, f"第{q}季度") for q in range(1, 5)]
    )
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), blank=True)

    objects = qs.TaskItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务清单事项")
        verbose_name_plural = _("任务清单")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["org_path", "due_date"], name="resp_task_path_due_idx"),
            models.Index(fields=["issuance", "status"], name="resp_task_issuance_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_on__isnull=False), name="resp_task_done_date"
            )
        ]

    def __str__(self) -> str:
        return self.content[:40]

    def get_absolute_url(self) -> str:
        return reverse("responsibility:task_detail", args=[self.pk])

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or datetime.date.today()
        return self.status != TaskStatus.DONE and self.due_date < today

    @property
    def done_on_time(self) -> bool:
        return self.status == TaskStatus.DONE and self.completed_on is not None and self.completed_on <= self.due_date


class ProblemItem(OrgOwned):
    """问题清单: what assessments, inspections and self-checks found; each gets a Rectification."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    issuance = models.ForeignKey(
        Issuance, verbose_name=_("来源下发"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    source = models.CharField(_("问题来源"), max_length=16, choices=ProblemSource.choices)
    category = models.CharField(_("问题类别"), max_length=50)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    found_on = models.DateField(_("发现日期"), default=datetime.date.today)

    objects = qs.ProblemItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题清单事项")
        verbose_name_plural = _("问题清单")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.category}：{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:problem_detail", args=[self.pk])


class DutyItem(OrgOwned):
    """责任清单: who answers for what (secretary as first responsible person, 一岗双责)."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    issuance = models.ForeignKey(
        Issuance, verbose_name=_("来源下发"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duties"
    )
    person_name = models.CharField(_("责任人"), max_length=50)
    post = models.CharField(_("职务"), max_length=20, choices=DutyPost.choices)
    duties = models.TextField(_("责任内容"))

    objects = qs.DutyItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任清单事项")
        verbose_name_plural = _("责任清单")
        ordering = ["-year", "post", "id"]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_post_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:duty_detail", args=[self.pk])


class Rectification(OrgOwned):
    """整改台账: the rectification of one problem, signed off (销号) by an organization above the owner."""

    problem = models.OneToOneField(
        ProblemItem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="rectification"
    )
    measures = models.TextField(_("整改措施"), blank=True, help_text=_("每行一条措施"))
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    responsible_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    deadline_class = models.CharField(
        _("整改时限类别"), max_length=12, choices=DeadlineClass.choices, default=DeadlineClass.BY_DATE
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signoff_comment = models.TextField(_("销号意见"), blank=True)
    rechecked_at = models.DateTimeField(_("回头看时间"), null=True, blank=True)
    recheck_note = models.TextField(_("回头看情况"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("回头看重新整改次数"), default=0)

    objects = qs.RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改台账")
        verbose_name_plural = _("整改台账")
        ordering = ["deadline", "id"]
        permissions = [
            ("signoff_rectification", _("整改销号与回头看")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_class="long_term") | models.Q(deadline__isnull=False),
                name="resp_rect_deadline_required",
            )
        ]

    def __str__(self) -> str:
        return f"整改：{self.problem}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:rectification_detail", args=[self.pk])

    @property
    def notice_number(self) -> str:
        return f"整改通知〔{self.created_at:%Y}〕{self.pk:05d}号" if self.created_at else ""

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or datetime.date.today()
        return (
            self.status in (RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)
            and self.deadline is not None
            and self.deadline < today
        )

    @property
    def measure_lines(self) -> list[str]:
        """One measure a line, without the numbering people type ("1. ", "（二）", "3、"): pages number them."""
        lines = (_MEASURE_NUMBER.sub("", line.strip()).strip() for line in self.measures.splitlines())
        return [line for line in lines if line]


class RectificationProgress(models.Model):
    """A monthly progress entry of a rectification."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="progress_entries")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    content = models.TextField(_("进展情况"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = qs.RectificationProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["month", "id"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.content[:20]}"


class MonthlyLedger(OrgOwned):
    """月度台账: one per branch per month; submit locks it, the organization above approves or returns it."""

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=12, choices=LedgerStatus.choices, default=LedgerStatus.DRAFT)
    due_date = models.DateField(_("提交截止日"))
    task_progress = models.TextField(_("任务推进情况"), blank=True)
    rectification_progress = models.TextField(_("整改推进情况"), blank=True)
    notes = models.TextField(_("其他说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_on_time = models.BooleanField(_("按时提交"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = qs.MonthlyLedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度台账")
        verbose_name_plural = _("月度台账")
        ordering = ["-month", "org_path"]
        permissions = [
            ("submit_monthlyledger", _("提交月度台账")),
            ("review_monthlyledger", _("审核月度台账")),
        ]
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="resp_ledger_one_per_month")]
        indexes = [models.Index(fields=["-month", "org_path"], name="resp_ledger_month_path_idx")]

    def __str__(self) -> str:
        return f"{self.period.label}月度台账"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:ledger_detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period.of(self.month)

    @property
    def is_locked(self) -> bool:
        return self.status in (LedgerStatus.SUBMITTED, LedgerStatus.APPROVED)


class Meeting(models.Model):
    """A meeting recorded in a monthly ledger (三会一课, theme party day, life meeting, appraisal)."""

    ledger = models.ForeignKey(
        MonthlyLedger, verbose_name=_("月度台账"), on_delete=models.CASCADE, related_name="meetings"
    )
    organization = models.ForeignKey(
        ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="resp_meetings"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    party_group = models.ForeignKey(
        ORG,
        verbose_name=_("党小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resp_group_meetings",
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    minutes = models.TextField(_("会议记录"), blank=True)
    attendees = models.ManyToManyField(
        "members.Member", through="MeetingAttendance", related_name="+", verbose_name=_("参会人员")
    )
    attendee_count = models.PositiveIntegerField(_("实到人数"), default=0)
    absentee_count = models.PositiveIntegerField(_("缺席人数"), default=0)
    # False: fewer present than the rule requires; the meeting is kept but does not count toward compliance.
    # None: the rule cannot be checked (no roster, no committee recorded) or does not apply to the kind.
    quorum_met = models.BooleanField(_("到会人数符合规定"), null=True, blank=True)
    quorum_note = models.CharField(_("到会情况说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = qs.MeetingQuerySet.as_manager()

    AUDIT_EXCLUDE = ("org_path",)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["held_on", "id"]
        indexes = [models.Index(fields=["organization", "held_on"], name="resp_meeting_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:ledger_detail", args=[self.ledger_id]) + f"#meeting-{self.pk}"


class MeetingAttendance(models.Model):
    """A member present at, or absent (with a reason) from, a meeting; picked from the branch roster."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_name = models.CharField(_("姓名"), max_length=50)
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    objects = qs.MeetingAttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("参会情况")
        verbose_name_plural = _("参会情况")
        ordering = ["-present", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="resp_attendance_once")]

    def __str__(self) -> str:
        return f"{self.member_name}{'' if self.present else '（缺席）'}"


class MeetingAttachment(models.Model):
    """A file kept with a meeting (minutes scan, photos, sign-in sheet)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="ledger/%Y/%m/", validators=[validate_attachment])
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = qs.MeetingAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MeetingRequirement(models.Model):
    """How often a kind of meeting must be held (shared/domain.md §2), editable in admin."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, unique=True)
    period = models.CharField(_("周期"), max_length=10, choices=RequirementPeriod.choices)
    minimum_count = models.PositiveSmallIntegerField(_("最少次数"), default=1)
    per_party_group = models.BooleanField(_("按党小组计"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活频次要求")
        verbose_name_plural = _("组织生活频次要求")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()}≥{self.minimum_count}"

    def window(self, period: Period) -> tuple[datetime.date, datetime.date]:
        """The requirement window that contains ``period`` (month, quarter or year)."""
        if self.period == RequirementPeriod.MONTH:
            return period.first_day, period.last_day
        if self.period == RequirementPeriod.QUARTER:
            start = Period(period.year, (period.quarter - 1) * 3 + 1)
            return start.first_day, start.shift(2).last_day
        return datetime.date(period.year, 1, 1), datetime.date(period.year, 12, 31)

    def closes_in(self, period: Period) -> bool:
        """True when ``period`` is the last month of its window (the requirement is then due)."""
        return self.window(period)[1] == period.last_day


class OrgMonthStats(models.Model):
    """Pre-aggregated subtree figures per organization per month (refreshed by stats_refresh).

    Each row holds the totals of the organization's whole subtree, so a roll-up page reads one row for the
    scope and one per child — no GROUP BY over a province at request time.
    """

    organization = models.ForeignKey(ORG, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    parent_id_copy = models.BigIntegerField(null=True, db_index=True)
    month = models.DateField()
    tasks_due = models.PositiveIntegerField(default=0)
    tasks_done_on_time = models.PositiveIntegerField(default=0)
    tasks_overdue = models.PositiveIntegerField(default=0)
    rectifications = models.PositiveIntegerField(default=0)
    rectifications_signed_off = models.PositiveIntegerField(default=0)
    rectifications_overdue = models.PositiveIntegerField(default=0)
    ledgers_required = models.PositiveIntegerField(default=0)
    ledgers_submitted = models.PositiveIntegerField(default=0)
    ledgers_on_time = models.PositiveIntegerField(default=0)
    meeting_checks = models.PositiveIntegerField(default=0)
    meeting_checks_met = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    objects = qs.OrgMonthStatsQuerySet.as_manager()

    COUNTERS = (
        "tasks_due",
        "tasks_done_on_time",
        "tasks_overdue",
        "rectifications",
        "rectifications_signed_off",
        "rectifications_overdue",
        "ledgers_required",
        "ledgers_submitted",
        "ledgers_on_time",
        "meeting_checks",
        "meeting_checks_met",
    )

    class Meta:
        verbose_name = _("月度统计")
        verbose_name_plural = _("月度统计")
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="resp_stats_org_month")]
        indexes = [models.Index(fields=["parent_id_copy", "month"], name="resp_stats_parent_month_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}"

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(100.0 * num / den, 1) if den else None

    @property
    def task_on_time_rate(self) -> float | None:
        return self._rate(self.tasks_done_on_time, self.tasks_due)

    @property
    def signoff_rate(self) -> float | None:
        return self._rate(self.rectifications_signed_off, self.rectifications)

    @property
    def ledger_on_time_rate(self) -> float | None:
        return self._rate(self.ledgers_on_time, self.ledgers_required)

    @property
    def meeting_compliance_rate(self) -> float | None:
        return self._rate(self.meeting_checks_met, self.meeting_checks)


from .life_day_models import OrgLifeDay  # noqa: E402, F401  (组织生活日 lives in its own module)
