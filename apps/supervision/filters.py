from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import BaseFilterSet, MonthFilter
from apps.organizations.filters import OrganizationFilter

from .choices import InspectionStatus, LetterKind, LetterStatus
from .models import Accountability, InspectionPlan, Letter


class WithinCodeMixin:
    """``within=<organization code>``: rows of an organization's subtree it the user can see (else none);
    ``issued``/``opened`` month: the month the dashboards count the row in."""

    def filter_within(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        from apps.organizations.models import Organization

        user = getattr(self.request, "user", None)
        path = Organization.objects.visible_to(user).filter(code=value.strip()).values_list("path", flat=True).first()
        return qs.filter(org_path__startswith=path) if path else qs.none()

    def filter_month(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return qs
        from apps.core.periods import Period

        period = Period.parse(value)
        field = "issued_on" if qs.model is Letter else "created_at__date"
        return qs.filter(**{f"{field}__gte": period.first_day, f"{field}__lte": period.last_day})


class LetterFilterSet(WithinCodeMixin, BaseFilterSet):
    """Shared by the letter list page and the API."""

    q = django_filters.CharFilter(label=_("收函/发函单位"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("函件类别"), choices=LetterKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=LetterStatus.choices)
    period = MonthFilter()
    overdue = django_filters.BooleanFilter(label=_("逾期未复"), method="filter_overdue")
    addressee = django_filters.NumberFilter(label=_("收函单位ID"), field_name="addressee_id")
    issuer = django_filters.NumberFilter(label=_("发函单位ID"), field_name="issuer_id")
    addressee_code = OrganizationFilter(label=_("收函单位"), field_name="addressee__code")
    issuer_code = OrganizationFilter(label=_("发函单位"), field_name="issuer__code")
    within = OrganizationFilter(label=_("收函单位（含下级）"), method="filter_within")
    issued = MonthFilter(label=_("发函月份"), method="filter_month")

    class Meta:
        model = Letter
        fields = [
            "q", "kind", "status", "period", "overdue", "addressee", "issuer", "addressee_code", "issuer_code",
            "within", "issued",
        ]  # fmt: skip

    def filter_q(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.filter(Q(addressee__name__contains=value) | Q(issuer__name__contains=value)) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return qs
        overdue = Q(status__in=["sent", "read"], response_deadline__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class LetterPageFilterSet(LetterFilterSet):
    """The page filters organizations by code; the API keeps ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("addressee", "issuer"):
            self.filters.pop(name)


class InspectionPlanFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("督查主题"), field_name="topic", lookup_expr="contains")
    period = MonthFilter()
    status = django_filters.ChoiceFilter(label=_("状态"), choices=InspectionStatus.choices)

    class Meta:
        model = InspectionPlan
        fields = ["q", "period", "status"]


class AccountabilityFilterSet(WithinCodeMixin, BaseFilterSet):
    period = MonthFilter()
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Accountability._meta.get_field("status").choices)
    within = OrganizationFilter(label=_("所属党组织（含下级）"), method="filter_within")
    opened = MonthFilter(label=_("立案月份"), method="filter_month")

    class Meta:
        model = Accountability
        fields = ["period", "status", "within", "opened"]
