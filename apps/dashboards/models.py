"""Pre-aggregated figures the dashboards read: nothing here is edited by people, only by the nightly refresh.

Each row holds the totals of one organization's whole subtree, so a dashboard reads one row for the scope
and one per child, never a GROUP BY over a province at request time.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import SnapshotQuerySet

ORG = "organizations.Organization"


class Dashboard(models.Model):
    """Holds the permission to see dashboards and statistics (no table)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("查看数据看板与党内统计"))]
        verbose_name = _("数据看板")
        verbose_name_plural = _("数据看板")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class MemberStatsSnapshot(models.Model):
    """Members in good standing of an organization's subtree as of a date, by dimension.

    ``counts`` maps "dimension:key" (e.g. "gender:2", "age:31_35", "standing:lt5") to a head count, plus
    "total". Built by ``stats_refresh`` from apps/members/breakdowns.member_breakdowns.
    """

    # Derived rows written only by the nightly refresh from the organizations table itself: no foreign-key
    # constraint, so the COPY of 100k rows fires no referential check per row (deletes still cascade in Django);
    # no index of its own either (the unique constraint below starts with it). One index on the path, for
    # prefix reads (LIKE 'path%'): each index is maintained for every row the refresh writes.
    organization = models.ForeignKey(
        ORG, on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织"), db_constraint=False, db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    parent_id_copy = models.BigIntegerField(null=True)
    as_of = models.DateField(_("统计日期"))
    counts = models.JSONField(_("分项人数"), default=dict, encoder=DjangoJSONEncoder)
    refreshed_at = models.DateTimeField(_("数据截至"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员统计快照")
        verbose_name_plural = _("党员统计快照")
        constraints = [models.UniqueConstraint(fields=["organization", "as_of"], name="dash_member_snap_org_date")]
        indexes = [
            models.Index(fields=["as_of"], name="dash_member_snap_date_idx"),
            models.Index(fields=["org_path"], name="dash_member_snap_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.as_of}"

    def count(self, key: str) -> int:
        return int(self.counts.get(key, 0))


class MetricSnapshot(models.Model):
    """Every registered metric's subtree figure for one organization and one period.

    ``kind`` "current": the year to date as of ``period`` (the refresh date); "month": the calendar month
    starting at ``period`` (for the 12-month trends). ``values`` maps metric name -> [numerator, denominator].
    """

    CURRENT = "current"
    MONTH = "month"
    KINDS = [(CURRENT, _("年初至统计日")), (MONTH, _("月度"))]

    # Derived rows written only by the nightly refresh from the organizations table itself: no foreign-key
    # constraint, so the COPY of 100k rows fires no referential check per row (deletes still cascade in Django);
    # no index of its own either (the unique constraint below starts with it). One index on the path, for
    # prefix reads (LIKE 'path%'): each index is maintained for every row the refresh writes.
    organization = models.ForeignKey(
        ORG, on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织"), db_constraint=False, db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    parent_id_copy = models.BigIntegerField(null=True)
    kind = models.CharField(_("口径"), max_length=8, choices=KINDS)
    period = models.DateField(_("统计期"))
    values = models.JSONField(_("指标值"), default=dict, encoder=DjangoJSONEncoder)
    refreshed_at = models.DateTimeField(_("数据截至"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "period"], name="dash_metric_snap_org_period")
        ]
        indexes = [
            models.Index(fields=["kind", "period"], name="dash_metric_snap_period_idx"),
            models.Index(fields=["org_path"], name="dash_metric_snap_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.period}"


class RefreshRun(models.Model):
    """One run of the nightly refresh: when, for which date, how long, how many rows (shown on the pages)."""

    as_of = models.DateField(_("统计日期"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    member_rows = models.PositiveIntegerField(_("党员统计行数"), default=0)
    metric_rows = models.PositiveIntegerField(_("指标行数"), default=0)

    class Meta:
        verbose_name = _("统计刷新记录")
        verbose_name_plural = _("统计刷新记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.started_at:%Y-%m-%d %H:%M}"
