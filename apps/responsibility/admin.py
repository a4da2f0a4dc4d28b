from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ServiceAdminMixin

from .models import Issuance, MeetingRequirement, MonthlyLedger, Rectification, TaskItem


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "period", "minimum_count", "per_party_group", "source", "is_active")
    list_editable = ("period", "minimum_count", "per_party_group", "is_active")


class _ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Writes go through the pages (services); the back office only looks."""

    show_full_result_count = False


@admin.register(TaskItem)
class TaskItemAdmin(_ReadOnlyScopedAdmin):
    list_display = ("content", "organization", "due_date", "status")
    list_select_related = ("organization",)
    list_filter = ("status", "year")


@admin.register(Rectification)
class RectificationAdmin(_ReadOnlyScopedAdmin):
    list_display = ("problem", "organization", "deadline", "status")
    list_select_related = ("organization", "problem")
    list_filter = ("status",)


@admin.register(MonthlyLedger)
class MonthlyLedgerAdmin(_ReadOnlyScopedAdmin):
    list_display = ("organization", "month", "status", "submitted_on_time")
    list_select_related = ("organization",)
    list_filter = ("status", "month")


@admin.register(Issuance)
class IssuanceAdmin(_ReadOnlyScopedAdmin):
    list_display = ("title", "issuer", "item_type", "issued_on", "assignee_count")
    list_select_related = ("issuer",)
