from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.filters import BaseFilterSet, RecentChoiceFilter
from apps.core.scoping import user_scope_path
from apps.core.text import is_digits
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization

from .choices import ExpenseCategory, ExpenseStatus, FundingSource, StandardBasis
from .models import Allocation, AllocationNotice, Budget, Expense, FundingStandard


def _notice_choices(request: Any) -> QuerySet:
    """The notices a user may filter by: those issued in scope, and those with an allocation in scope (a
    recipient follows the link from its notice). Money flows down the tree, so the latter were issued by an
    ancestor of the user's organization: a handful of issuers, each notice probed once through the
    (notice, path) index instead of collecting the notice of every allocation in the subtree (38 ms for a
    city at 100k branches)."""
    if request is None:
        return AllocationNotice.objects.none()
    user = request.user
    prefix = user_scope_path(user)
    in_scope = AllocationNotice.objects.visible_to(user)
    if not prefix:  # unrestricted (every notice is in scope) or nothing
        return in_scope.order_by("-issued_on", "-id")
    ancestors = [int(x) for x in prefix.strip("/").split("/")[:-1] if x]
    received = Exists(Allocation.objects.filter(notice=OuterRef("pk"), org_path__startswith=prefix))
    return AllocationNotice.objects.filter(
        Q(pk__in=in_scope.values("pk")) | (Q(issuer_id__in=ancestors) & received)
    ).order_by("-issued_on", "-id")


def _allocation_choices(request: Any) -> QuerySet:
    if request is None:
        return Allocation.objects.none()
    return Allocation.objects.visible_to(request.user).select_related("organization").order_by("-allocated_on", "-id")


MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]


class _ScopedFilterSet(BaseFilterSet):
    within = OrganizationFilter(label=_("所属组织（含下级）"), method="filter_within")
    year = django_filters.NumberFilter(label=_("年度"))

    def filter_within(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        request = getattr(self, "request", None)
        orgs = Organization.objects.visible_to(request.user) if request else Organization.objects.none()
        org = orgs.filter(Q(code=value) | Q(pk=int(value) if is_digits(value) else -1)).only("path").first()
        return qs.filter(org_path__startswith=org.path) if org else qs.none()


class FundingStandardFilterSet(_ScopedFilterSet):
    basis = django_filters.ChoiceFilter(label=_("计算方式"), choices=StandardBasis.choices, empty_label=_("全部"))
    source = django_filters.ChoiceFilter(label=_("经费来源"), choices=FundingSource.choices, empty_label=_("全部"))

    class Meta:
        model = FundingStandard
        fields = ["year", "basis", "source", "within"]


class AllocationFilterSet(_ScopedFilterSet):
    source = django_filters.ChoiceFilter(label=_("经费来源"), choices=FundingSource.choices, empty_label=_("全部"))
    notice = RecentChoiceFilter(label=_("下拨通知"), field_name="notice", queryset=_notice_choices)
    org = OrganizationFilter(label=_("收款单位"), field_name="organization_id", value_key="id")

    class Meta:
        model = Allocation
        fields = ["year", "source", "within", "notice", "org"]


class ExpenseFilterSet(_ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="allocation__year")
    month = django_filters.ChoiceFilter(
        label=_("月份"), field_name="spent_on__month", choices=MONTHS, empty_label=_("全部")
    )
    category = django_filters.ChoiceFilter(label=_("支出类别"), choices=ExpenseCategory.choices, empty_label=_("全部"))
    source = django_filters.ChoiceFilter(label=_("经费来源"), choices=FundingSource.choices, empty_label=_("全部"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ExpenseStatus.choices, empty_label=_("全部"))
    no_voucher = django_filters.ChoiceFilter(
        label=_("凭证"), choices=[("true", _("未上传凭证"))], empty_label=_("全部"), method="filter_no_voucher"
    )
    allocation = RecentChoiceFilter(label=_("经费"), field_name="allocation", queryset=_allocation_choices)
    org = OrganizationFilter(label=_("支出单位"), field_name="organization_id", value_key="id")

    class Meta:
        model = Expense
        fields = ["year", "month", "category", "source", "status", "no_voucher", "within", "allocation", "org"]

    def filter_no_voucher(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.without_voucher() if value == "true" else qs


class BudgetFilterSet(_ScopedFilterSet):
    source = django_filters.ChoiceFilter(label=_("经费来源"), choices=FundingSource.choices, empty_label=_("全部"))

    class Meta:
        model = Budget
        fields = ["year", "source", "within"]
