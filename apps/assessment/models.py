"""Assessment (考核): a yearly plan with an indicator tree (大项 → 小项, 百分制), bonus/deduction items with caps,
veto items (一票否决), scores from the system, raters, 民主测评, 述职评议 and observation rankings; results
with totals, ranks and grades, published and then open to appeals (申诉)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AppealStatus,
    DutyReportStatus,
    GradingMethod,
    IndicatorCategory,
    PlanStatus,
    RaterCombine,
    Rating,
    ScoringMethod,
)
from .querysets import AssessmentPlanQuerySet, PathScopedQuerySet, PlanChildQuerySet, ResultQuerySet

Org = "organizations.Organization"
User = settings.AUTH_USER_MODEL
POINTS = {"max_digits": 6, "decimal_places": 2}


class AssessmentPlan(models.Model):
    """One year's assessment issued by an organization for the organizations below it in scope."""

    organization = models.ForeignKey(Org, verbose_name=_("考核单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("考核年度"))
    title = models.CharField(_("方案名称"), max_length=200)
    scope_kinds = models.JSONField(_("考核对象类别"), default=list, blank=True)
    scope_sectors = models.JSONField(_("考核对象领域"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    rater_combine = models.CharField(
        _("评委分合成方式"), max_length=10, choices=RaterCombine.choices, default=RaterCombine.MEAN
    )
    bonus_cap = models.DecimalField(_("加分上限"), default=Decimal("5"), **POINTS)
    deduction_cap = models.DecimalField(_("扣分上限"), default=Decimal("10"), **POINTS)
    grading_method = models.CharField(
        _("定级方式"), max_length=12, choices=GradingMethod.choices, default=GradingMethod.QUOTAS
    )
    advanced_min_score = models.DecimalField(_("先进分数线"), default=Decimal("90"), **POINTS)
    lagging_below_score = models.DecimalField(_("后进分数线（低于）"), default=Decimal("60"), **POINTS)
    advanced_quota_percent = models.PositiveSmallIntegerField(_("先进比例（%）"), default=20)
    lagging_quota_percent = models.PositiveSmallIntegerField(_("后进比例（%）"), default=10)
    #: total needed for 5, 4, 3, 2 stars (below the last: 1 star)
    star_thresholds = models.JSONField(_("星级分数线（五星至二星）"), default=list, blank=True)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=7)
    appeal_deadline = models.DateField(_("申诉截止日期"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("复制自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(_("系统取数时间"), null=True, blank=True)
    #: pre-aggregated by every recalculation: {"total", "advanced", "standard", "lagging", "vetoed"}
    summary = models.JSONField(_("结果汇总"), default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = AssessmentPlanQuerySet.as_manager()

    AUDIT_EXCLUDE = ("scope_kinds", "scope_sectors", "created_by")
    AUDIT_EXTRA = {"考核对象": "scope_display"}

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "-id"]
        permissions = [("publish_assessmentplan", _("发布考核结果")), ("score_assessment", _("考核评分"))]
        constraints = [models.UniqueConstraint(fields=["organization", "year", "title"], name="assessment_plan_uniq")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:plan_detail", args=[self.pk])

    @property
    def scope_display(self) -> str:
        from apps.organizations.choices import OrgKind, Sector

        kinds = "、".join(str(OrgKind(k).label) for k in self.scope_kinds or [] if k in OrgKind.values)
        sectors = "、".join(str(Sector(s).label) for s in self.scope_sectors or [] if s in Sector.values)
        return "；".join(x for x in (kinds or str(_("全部类别")), sectors) if x)

    @property
    def is_frozen(self) -> bool:
        return self.status == PlanStatus.PUBLISHED

    @property
    def appeal_open(self) -> bool:
        return (
            self.status == PlanStatus.PUBLISHED
            and self.appeal_deadline is not None
            and timezone.localdate() <= self.appeal_deadline
        )


class Indicator(models.Model):
    """A node of the indicator tree: a group (大项) or an item (小项, 加分, 扣分, 一票否决) with its scoring."""

    plan = models.ForeignKey(AssessmentPlan, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", verbose_name=_("所属大项"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    seq = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("指标名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=12, choices=IndicatorCategory.choices)
    points = models.DecimalField(_("分值"), default=Decimal("0"), **POINTS)
    method = models.CharField(_("评分方式"), max_length=12, choices=ScoringMethod.choices, blank=True)
    metric_name = models.CharField(_("系统指标"), max_length=100, blank=True)
    #: {"kind": "linear", "low": 0.6, "high": 1.0} | {"kind": "thresholds", "steps": [[0.95, 1.0], [0.8, 0.6]]}
    #: | {"kind": "per_occurrence", "each": 2}; for votes: {"weights": {"good": 1, ...}}; observation: {"visit": id}
    rule = models.JSONField(_("计分规则"), default=dict, blank=True)
    criteria = models.TextField(_("评分标准"), blank=True)

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["plan", "seq", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_item(self) -> bool:
        return self.category != IndicatorCategory.GROUP

    @property
    def metric_label(self) -> str:
        from apps.core.metrics import metrics

        metric = metrics().get(self.metric_name)
        return metric.label if metric else self.metric_name


class AssessmentResult(models.Model):
    """One assessed organization in one plan: total, rank, grade and veto."""

    # No separate index on plan: the unique (plan, organization) index and the ranking indexes all start with it,
    # and every result row's rank/position/total update would otherwise maintain one more index.
    plan = models.ForeignKey(AssessmentPlan, on_delete=models.CASCADE, related_name="results", db_index=False)
    organization = models.ForeignKey(Org, verbose_name=_("被考核组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    base_points = models.DecimalField(_("基础得分"), default=Decimal("0"), **POINTS)
    bonus_points = models.DecimalField(_("加分"), default=Decimal("0"), **POINTS)
    deduction_points = models.DecimalField(_("扣分"), default=Decimal("0"), **POINTS)
    total = models.DecimalField(_("总分"), default=Decimal("0"), **POINTS)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    #: 1..n in ranking order (rank, then id), unique in the plan: the ranking page seeks to a page by it
    position = models.PositiveIntegerField(_("排序位置"), null=True, blank=True, editable=False)
    grade = models.CharField(_("等次"), max_length=12, blank=True)
    star_rating = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    veto_reason = models.CharField(_("否决原因"), max_length=500, blank=True)
    marked_for_consolidation = models.BooleanField(_("列入整顿"), default=False)
    problem_ref = models.CharField(_("问题清单条目"), max_length=80, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["plan", "rank", "org_path"]
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="assessment_result_uniq")]
        indexes = [
            models.Index(fields=["plan", "rank", "id"], name="assessment_result_rank_idx"),
            models.Index(fields=["plan", "position"], name="assessment_result_pos_idx"),
            models.Index(fields=["org_path"], name="assessment_result_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}（{self.plan.year}年）"

    def get_absolute_url(self) -> str:
        return reverse("assessment:result_detail", args=[self.pk])

    @property
    def grade_label(self) -> str:
        from apps.organizations.choices import Grade

        return str(Grade(self.grade).label) if self.grade else ""


class ItemScore(models.Model):
    """The points one organization got on one item, with the evidence (figure and period) behind them."""

    # No database FK constraints and no per-column indexes on these two: a plan's computation writes ~2M rows
    # (100,000 organizations x 20 system items) and two deferred FK checks per row cost as much as the insert.
    # Integrity is kept by the code: rows are only written by scoring.py/system_scores.py/results.py for the
    # plan's own results and indicators (tests/assessment/test_item_integrity.py recounts it), and deletes go
    # through the ORM, which cascades in Python. Lookups use the unique (result, indicator) index and
    # assessment_itemscore_ind_idx.
    result = models.ForeignKey(
        AssessmentResult, on_delete=models.CASCADE, related_name="item_scores", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    #: the indicator's category, copied so totals sum per result without a join
    category = models.CharField(_("类别"), max_length=12, choices=IndicatorCategory.choices)
    points = models.DecimalField(_("得分"), default=Decimal("0"), **POINTS)
    figure = models.DecimalField(_("取数"), max_digits=16, decimal_places=4, null=True, blank=True)
    evidence = models.CharField(_("依据"), max_length=300, blank=True)
    adjusted_by_appeal = models.BooleanField(_("经申诉调整"), default=False)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="assessment_itemscore_uniq")]
        indexes = [models.Index(fields=["indicator"], name="assessment_itemscore_ind_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.points}"


class RaterScore(models.Model):
    """One rater's points on one item for one organization; combined by the plan's rule."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="rater_scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey(User, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    points = models.DecimalField(_("打分"), **POINTS)
    evidence = models.CharField(_("打分依据"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("打分时间"), default=timezone.now)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评委打分")
        verbose_name_plural = _("评委打分")
        ordering = ["result", "indicator", "id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "indicator", "rater"], name="assessment_raterscore_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.rater_id}: {self.points}"


class VoteTally(models.Model):
    """民主测评: votes 好/较好/一般/差 counted for one organization on one item."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="vote_tallies")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    good = models.PositiveIntegerField(_("好"), default=0)
    fair = models.PositiveIntegerField(_("较好"), default=0)
    average = models.PositiveIntegerField(_("一般"), default=0)
    poor = models.PositiveIntegerField(_("差"), default=0)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主测评票数")
        verbose_name_plural = _("民主测评票数")
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="assessment_votetally_uniq")]

    def __str__(self) -> str:
        return f"{self.good}/{self.fair}/{self.average}/{self.poor}"

    @property
    def total_votes(self) -> int:
        return self.good + self.fair + self.average + self.poor


class DutyReport(models.Model):
    """述职报告: the secretary's report for the year and the review meeting's ratings (述职评议)."""

    organization = models.ForeignKey(Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    reporter_name = models.CharField(_("述职人"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("述职内容"))
    attachment = models.FileField(_("附件"), upload_to="duty_reports/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DutyReportStatus.choices, default=DutyReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    votes_good = models.PositiveIntegerField(_("好"), default=0)
    votes_fair = models.PositiveIntegerField(_("较好"), default=0)
    votes_average = models.PositiveIntegerField(_("一般"), default=0)
    votes_poor = models.PositiveIntegerField(_("差"), default=0)
    rating = models.CharField(_("评议等次"), max_length=10, choices=Rating.choices, blank=True)
    review_comment = models.TextField(_("评议意见"), blank=True)
    reviewed_at = models.DateTimeField(_("评议时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = PathScopedQuerySet.as_manager()

    AUDIT_EXCLUDE = ("attachment",)
    AUDIT_EXTRA = {"attachment": "attachment_name"}

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "org_path"]
        permissions = [("review_dutyreport", _("评议述职报告"))]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="assessment_dutyreport_uniq")]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年述职报告"

    def get_absolute_url(self) -> str:
        return reverse("assessment:dutyreport_detail", args=[self.pk])

    @property
    def attachment_name(self) -> str:
        return self.attachment.name.rsplit("/", 1)[-1] if self.attachment else ""

    @property
    def total_votes(self) -> int:
        return self.votes_good + self.votes_fair + self.votes_average + self.votes_poor


class Appeal(models.Model):
    """申诉: an assessed organization contests an item (or its total) in the appeal window; staff answer."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="appeals")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("申诉指标"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("申诉时间"), default=timezone.now)
    answer = models.TextField(_("答复意见"), blank=True)
    points_before = models.DecimalField(_("原得分"), null=True, blank=True, **POINTS)
    points_after = models.DecimalField(_("调整后得分"), null=True, blank=True, **POINTS)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["-submitted_at", "-id"]
        permissions = [("answer_appeal", _("答复考核申诉"))]

    def __str__(self) -> str:
        return f"{self.result}申诉"

    def get_absolute_url(self) -> str:
        return reverse("assessment:appeal_detail", args=[self.pk])


class ComputeJob(models.Model):
    """A run that computes a plan's scores (system indicators and the rest): progress for the page to poll."""

    plan = models.ForeignKey(AssessmentPlan, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=[("queued", _("排队中")), ("running", _("计算中")), ("done", _("已完成")), ("failed", _("失败"))],
        default="queued",
    )
    done_steps = models.PositiveIntegerField(_("已完成指标"), default=0)
    total_steps = models.PositiveIntegerField(_("指标总数"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核计算任务")
        verbose_name_plural = _("考核计算任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan} {self.status}"

    @property
    def percent(self) -> int:
        return int(self.done_steps * 100 / self.total_steps) if self.total_steps else 0
