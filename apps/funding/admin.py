"""Back office: read-only and scoped; every write goes through the pages and API (services)."""

from typing import Any

from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from .models import Allocation, AllocationNotice, Budget, Expense, ExpenseReview, ExpenseVoucher, FundingStandard


class _ReadOnlyScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(FundingStandard)
class FundingStandardAdmin(_ReadOnlyScopedAdmin):
    list_display = ("year", "name", "region", "basis", "amount", "source")
    list_select_related = ("region",)
    list_filter = ("year", "basis", "source")


@admin.register(Budget)
class BudgetAdmin(_ReadOnlyScopedAdmin):
    list_display = ("year", "organization", "source", "amount")
    list_select_related = ("organization",)


@admin.register(AllocationNotice)
class AllocationNoticeAdmin(_ReadOnlyScopedAdmin):
    list_display = ("number_display", "title", "issuer", "issued_on", "total", "recipient_count")
    list_select_related = ("issuer",)


@admin.register(Allocation)
class AllocationAdmin(_ReadOnlyScopedAdmin):
    list_display = ("organization", "year", "source", "amount", "spent", "allocated_on")
    list_select_related = ("organization",)
    list_filter = ("year", "source")


@admin.register(Expense)
class ExpenseAdmin(_ReadOnlyScopedAdmin):
    list_display = ("spent_on", "organization", "category", "amount", "status", "voucher_count", "reviewed_at")
    list_select_related = ("organization",)
    list_filter = ("status", "category")


@admin.register(ExpenseReview)
class ExpenseReviewAdmin(_ReadOnlyScopedAdmin):
    """The review workflow rows: append-only, written by the services, read-only here."""

    list_display = ("created_at", "expense", "action", "actor", "actor_org", "comment")
    list_select_related = ("expense", "actor", "actor_org")
    list_filter = ("action",)


@admin.register(ExpenseVoucher)
class ExpenseVoucherAdmin(_ReadOnlyScopedAdmin):
    list_display = ("name", "expense", "uploaded_at")
    list_select_related = ("expense",)
