"""民主评议党员 (yearly per branch) and the six-colour card / points ledger records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet

ORG = "organizations.Organization"


class PathScoped(OrgScopedQuerySet):
    scope_path = "org_path"


class AppraisalLevel(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class AppraisalStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DECIDED = "decided", _("已由党员大会确定")


class Appraisal(models.Model):
    """One branch's 民主评议党员 for a year: self-assessment, mutual votes, committee proposal, meeting decision."""

    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=AppraisalStatus.choices, default=AppraisalStatus.OPEN)
    committee_on = models.DateField(_("支委会提出评定意见日期"), null=True, blank=True)
    meeting_on = models.DateField(_("党员大会评定日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("民主评议党员")
        verbose_name_plural = _("民主评议党员")
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="appraisal_org_year")]

    def __str__(self) -> str:
        return f"{self.year}年民主评议党员"

    def get_absolute_url(self) -> str:
        return reverse("members:appraisal_detail", args=[self.pk])


class AppraisalEntry(models.Model):
    """One member's line in a branch's appraisal."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    self_assessment = models.TextField(_("个人自评"), blank=True)
    self_assessed_on = models.DateField(_("自评日期"), null=True, blank=True)
    votes_excellent = models.PositiveIntegerField(_("互评：优秀票"), default=0)
    votes_qualified = models.PositiveIntegerField(_("互评：合格票"), default=0)
    votes_basic = models.PositiveIntegerField(_("互评：基本合格票"), default=0)
    votes_unqualified = models.PositiveIntegerField(_("互评：不合格票"), default=0)
    proposed_level = models.CharField(_("支委会建议等次"), max_length=12, choices=AppraisalLevel.choices, blank=True)
    final_level = models.CharField(_("党员大会评定等次"), max_length=12, choices=AppraisalLevel.choices, blank=True)

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("民主评议党员结果")
        verbose_name_plural = _("民主评议党员结果")
        ordering = ["appraisal", "id"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "member"], name="appraisal_entry_once")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_final_level_display() or ''}"


class HandlingMeasure(models.TextChoices):
    RECTIFY = "rectify", _("限期改正")
    PERSUADE = "persuade", _("劝其退党")
    REMOVE = "remove", _("除名")


class HandlingOutcome(models.TextChoices):
    PENDING = "", _("办理中")
    CORRECTED = "corrected", _("已改正")
    WITHDRAWN = "withdrawn", _("已退党")
    REMOVED = "removed", _("已除名")


class UnqualifiedHandling(models.Model):
    """处置不合格党员: the measure proposed for a member rated 不合格, with dates and the outcome."""

    entry = models.OneToOneField(AppraisalEntry, on_delete=models.CASCADE, related_name="handling")
    org_path = models.CharField(max_length=255, editable=False)
    measure = models.CharField(_("处置方式"), max_length=10, choices=HandlingMeasure.choices)
    proposed_on = models.DateField(_("提出日期"))
    deadline = models.DateField(_("改正期限"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=HandlingOutcome.choices, blank=True)
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    reported_on = models.DateField(_("报上级党组织日期"), null=True, blank=True)

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("不合格党员处置")
        verbose_name_plural = _("不合格党员处置")
        ordering = ["-proposed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entry.member} {self.get_measure_display()}"


class PointRule(models.Model):
    """A points rule (data): ``source`` names a registered point source, or "manual" for branch entries."""

    code = models.SlugField(_("规则代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    points = models.IntegerField(_("分值"))
    source = models.CharField(_("数据来源"), max_length=60, default="manual")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.points:+d}）"


class PointEntry(models.Model):
    """One line of a member's points ledger. An automatic entry is unique per (rule, source event)."""

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    rule = models.ForeignKey(PointRule, verbose_name=_("规则"), null=True, blank=True, on_delete=models.PROTECT)
    source_ref = models.CharField(_("来源"), max_length=80, blank=True)
    points = models.IntegerField(_("分值"))
    year = models.PositiveSmallIntegerField(_("年度"))
    occurred_on = models.DateField(_("日期"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "source_ref"], condition=~Q(source_ref=""), name="point_entry_once_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "year"], name="point_member_year_idx"),
            models.Index(fields=["year", "org_path"], name="point_year_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d}"


class CardCategory(models.Model):
    """A six-colour card category (data). Members get the first active category, by ``order``, whose
    criteria they meet; filled criteria combine with AND, or with OR when ``match_any``; none = default."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    colour = models.CharField(_("颜色"), max_length=7, help_text=_("如 #d63333"))
    order = models.PositiveSmallIntegerField(_("判定顺序"), default=0)
    criteria = models.CharField(_("认定标准（说明）"), max_length=200, blank=True)
    min_points = models.IntegerField(_("年度积分不低于"), null=True, blank=True)
    max_points = models.IntegerField(_("年度积分不高于"), null=True, blank=True)
    appraisal_levels = models.CharField(_("最近一次评议等次（逗号分隔代码）"), max_length=60, blank=True)
    mobile = models.BooleanField(_("流动党员"), null=True, blank=True)
    lost_contact = models.BooleanField(_("失联党员"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("年龄不低于"), null=True, blank=True)
    match_any = models.BooleanField(_("满足任一条件即可"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("六色卡类别")
        verbose_name_plural = _("六色卡类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class MemberCard(models.Model):
    """A member's current six-colour card and the month it took effect: one narrow row per member, written only
    when the card changes (derived data: no foreign-key triggers on the write path; Django cascades deletes)."""

    member = models.OneToOneField(
        "members.Member", primary_key=True, on_delete=models.CASCADE, related_name="card", db_constraint=False
    )
    category = models.ForeignKey(
        CardCategory, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    since = models.DateField(_("评定月份"))

    class Meta:
        verbose_name = _("党员六色卡")
        verbose_name_plural = _("党员六色卡")

    def __str__(self) -> str:
        return f"{self.member_id} {self.since:%Y-%m}"


class CardCount(models.Model):
    """An organization's own members per card in a month, ``{category id: n}`` (written by the recompute: one
    row per organization a month, no foreign-key triggers on the write path; Django cascades deletes)."""

    organization = models.ForeignKey(
        ORG, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField()
    counts = models.JSONField(default=dict)

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("六色卡统计")
        verbose_name_plural = _("六色卡统计")
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="card_count_org_month")]
        indexes = [models.Index(fields=["month", "org_path"], name="card_count_month_path_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}"
