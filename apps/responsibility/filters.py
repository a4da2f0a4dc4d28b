"""FilterSets shared by the pages, the API and the Excel exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import BaseFilterSet, MonthFilter, RecentChoiceFilter
from apps.core.periods import Period
from apps.core.text import is_digits
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization

from .choices import DutyPost, LedgerStatus, ProblemSource, RectificationStatus, Severity, TaskStatus
from .models import DutyItem, Issuance, MonthlyLedger, ProblemItem, Rectification, TaskItem


class _ScopedFilterSet(BaseFilterSet):
    within = OrganizationFilter(label=_("所属党组织（含下级）"), method="filter_within")
    year = django_filters.NumberFilter(label=_("年度"))

    def filter_within(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        request = getattr(self, "request", None)
        orgs = Organization.objects.visible_to(request.user) if request else Organization.objects.none()
        org = (
            orgs.filter(Q(code=value) | Q(pk=int(value) if is_digits(value) else -1) | Q(name=value))
            .only("path")
            .first()
        )
        if org is None:  # a fragment of a name that matches exactly one organization
            some = list(orgs.filter(name__contains=value).only("path")[:2])
            org = some[0] if len(some) == 1 else None
        return qs.filter(org_path__startswith=org.path) if org else qs.none()


def _task_issuance_choices(request: Any) -> QuerySet:
    """The task issuances a user may filter by: those issued in scope, and those with a task in scope."""
    if request is None:
        return Issuance.objects.none()
    user = request.user
    return Issuance.objects.filter(
        Q(pk__in=Issuance.objects.visible_to(user).filter(item_type="task").values("pk"))
        | Q(pk__in=TaskItem.objects.visible_to(user).filter(issuance__isnull=False).values("issuance_id"))
    ).order_by("-issued_on", "-id")


class TaskItemFilterSet(_ScopedFilterSet):
    q = django_filters.CharFilter(label=_("内容"), field_name="content", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TaskStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue")
    issuance = RecentChoiceFilter(label=_("下发批次"), field_name="issuance", queryset=_task_issuance_choices)

    class Meta:
        model = TaskItem
        fields = ["q", "within", "year", "status", "overdue", "issuance"]

    def filter_overdue(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        today = timezone.localdate()
        if value is None:
            return qs
        return qs.overdue(today) if value else qs.exclude(pk__in=qs.overdue(today).values("pk"))


class ProblemItemFilterSet(_ScopedFilterSet):
    q = django_filters.CharFilter(label=_("描述"), field_name="description", lookup_expr="contains")
    source = django_filters.ChoiceFilter(label=_("来源"), choices=ProblemSource.choices)
    severity = django_filters.ChoiceFilter(label=_("严重程度"), choices=Severity.choices)

    class Meta:
        model = ProblemItem
        fields = ["q", "within", "year", "source", "severity"]


class DutyItemFilterSet(_ScopedFilterSet):
    post = django_filters.ChoiceFilter(label=_("职务"), choices=DutyPost.choices)
    q = django_filters.CharFilter(label=_("责任人"), field_name="person_name", lookup_expr="contains")

    class Meta:
        model = DutyItem
        fields = ["q", "within", "year", "post"]


class RectificationFilterSet(_ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="problem__year")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RectificationStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue")

    class Meta:
        model = Rectification
        fields = ["within", "year", "status", "overdue"]

    def filter_overdue(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return qs
        overdue = qs.overdue(timezone.localdate())
        return overdue if value else qs.exclude(pk__in=overdue.values("pk"))


class MonthlyLedgerFilterSet(_ScopedFilterSet):
    year = None
    month = MonthFilter(method="filter_month")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=LedgerStatus.choices)

    class Meta:
        model = MonthlyLedger
        fields = ["within", "month", "status"]

    def filter_month(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        try:
            return qs.filter(month=Period.parse(value).first_day)
        except Exception:
            return qs.none()
