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


class LetterFilterSet(BaseFilterSet):
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

    class Meta:
        model = Letter
        fields = ["q", "kind", "status", "period", "overdue", "addressee", "issuer", "addressee_code", "issuer_code"]

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


class AccountabilityFilterSet(BaseFilterSet):
    period = MonthFilter()
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Accountability._meta.get_field("status").choices)

    class Meta:
        model = Accountability
        fields = ["period", "status"]
