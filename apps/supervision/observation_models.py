"""Observation scoring (逐社观摩): visit types, an editable scoring sheet, several raters per target.

Kept apart from models.py (imported at its end) so the observation extension stays one module.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet

from .choices import Severity

#: the five areas from the reports, the default sheet (editable per visit)
DEFAULT_DIMENSIONS = [
    ("党建基础", 20),
    ("组织建设", 20),
    ("党员管理", 20),
    ("活动开展", 20),
    ("工作保障", 20),
]


class VisitType(models.TextChoices):
    TOUR = "tour", _("巡回观摩")
    CROSS = "cross", _("交叉观摩")
    DEMONSTRATION = "demonstration", _("示范观摩")


class VisitScopedQuerySet(OrgScopedQuerySet):
    scope_path = "visit__organization__path"


class RatingQuerySet(OrgScopedQuerySet):
    # a rating belongs to the visit: its organizer's subtree (where the raters work) sees it
    scope_path = "visit__organization__path"


class ObservationSheet(models.Model):
    """The visit's type and whether its sheet is still open for scoring."""

    visit = models.OneToOneField("supervision.ObservationVisit", on_delete=models.CASCADE, related_name="sheet")
    visit_type = models.CharField(_("观摩类型"), max_length=16, choices=VisitType.choices, default=VisitType.TOUR)
    is_closed = models.BooleanField(_("评分已结束"), default=False)

    objects = VisitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评分表")
        verbose_name_plural = _("观摩评分表")

    def __str__(self) -> str:
        return f"{self.visit}（{self.get_visit_type_display()}）"


class ObservationDimension(models.Model):
    """One dimension of the visit's scoring sheet with its maximum points."""

    visit = models.ForeignKey("supervision.ObservationVisit", on_delete=models.CASCADE, related_name="dimensions")
    seq = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("评分维度"), max_length=50)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=1, default=Decimal("20"))

    objects = VisitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评分维度")
        verbose_name_plural = _("观摩评分维度")
        ordering = ["visit", "seq", "id"]

    def __str__(self) -> str:
        return self.name


class ObservationTarget(models.Model):
    """An organization on the visit's route, in visiting order."""

    visit = models.ForeignKey("supervision.ObservationVisit", on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("被观摩组织"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveSmallIntegerField(_("观摩顺序"), default=0)

    objects = VisitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩点")
        verbose_name_plural = _("观摩点")
        ordering = ["visit", "seq", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "organization"], name="observation_target_uniq")]

    def __str__(self) -> str:
        return str(self.organization)


class ObservationRating(models.Model):
    """One rater's sheet for one target: points per dimension (dimension id -> points) and their sum."""

    visit = models.ForeignKey("supervision.ObservationVisit", on_delete=models.CASCADE, related_name="ratings")
    target = models.ForeignKey(
        "organizations.Organization", verbose_name=_("被观摩组织"), on_delete=models.PROTECT, related_name="+"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.JSONField(_("各维度得分"), default=dict)
    total = models.DecimalField(_("合计"), max_digits=5, decimal_places=1, default=Decimal("0"))
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评委评分")
        verbose_name_plural = _("观摩评委评分")
        ordering = ["visit", "target", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "target", "rater"], name="observation_rating_uniq")]

    def __str__(self) -> str:
        return f"{self.target}: {self.total}"


class FindingScopedQuerySet(OrgScopedQuerySet):
    # the observed organization's subtree and every organization above it (the organizer, its raters)
    scope_path = "org_path"


class ObservationFinding(models.Model):
    """A problem a rater found on the spot at an observation target (实地查看发现的问题). Like an inspection
    finding it becomes a problem item with its rectification in the target's problem list (问题清单)."""

    visit = models.ForeignKey("supervision.ObservationVisit", on_delete=models.CASCADE, related_name="findings")
    target = models.ForeignKey(
        "organizations.Organization", verbose_name=_("被观摩组织"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.CharField(_("问题类别"), max_length=50)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(
        _("严重程度"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.MINOR,
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    problem = models.ForeignKey(
        "responsibility.ProblemItem",
        verbose_name=_("问题清单条目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observation_findings",
    )
    #: "responsibility.problemitem:<pk>", the same link as text (for letters and exports)
    problem_ref = models.CharField(_("问题清单条目"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发现人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = FindingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩发现问题")
        verbose_name_plural = _("观摩发现问题")
        ordering = ["visit", "target", "id"]

    def __str__(self) -> str:
        return self.description[:40]
