from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.text import is_digits
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization

from .choices import ExpenseCategory, ExpenseStatus, FundingSource, StandardBasis
from .models import Allocation, Expense, FundingStandard


class _ScopedFilterSet(django_filters.FilterSet):
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
    notice = django_filters.NumberFilter(label=_("下拨通知"), field_name="notice_id")
    org = OrganizationFilter(label=_("收款单位"), field_name="organization_id", value_key="id")

    class Meta:
        model = Allocation
        fields = ["year", "source", "within", "notice", "org"]


class ExpenseFilterSet(_ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="allocation__year")
    month = django_filters.NumberFilter(label=_("月份"), field_name="spent_on__month")
    category = django_filters.ChoiceFilter(label=_("支出类别"), choices=ExpenseCategory.choices, empty_label=_("全部"))
    source = django_filters.ChoiceFilter(label=_("经费来源"), choices=FundingSource.choices, empty_label=_("全部"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ExpenseStatus.choices, empty_label=_("全部"))
    no_voucher = django_filters.ChoiceFilter(
        label=_("凭证"), choices=[("true", _("未上传凭证"))], empty_label=_("全部"), method="filter_no_voucher"
    )
    allocation = django_filters.NumberFilter(label=_("经费"), field_name="allocation_id")
    org = OrganizationFilter(label=_("支出单位"), field_name="organization_id", value_key="id")

    class Meta:
        model = Expense
        fields = ["year", "month", "category", "source", "status", "no_voucher", "within", "allocation", "org"]

    def filter_no_voucher(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.without_voucher() if value == "true" else qs
