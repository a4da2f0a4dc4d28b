from typing import Any

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ValidatedSettingAdminMixin
from apps.core.scoping import ensure_root_admin
from apps.core.services import setting_delete

from . import rule_settings
from .models import Issuance, MeetingRequirement, MonthlyLedger, Rectification, TaskItem


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(ValidatedSettingAdminMixin, admin.ModelAdmin):
    """Saved by the settings page's service (``rule_settings``): validated the same way, audited."""

    list_display = ("kind", "period", "minimum_count", "per_party_group", "source", "is_active")
    list_editable = ("period", "minimum_count", "per_party_group", "is_active")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("kind",) if obj is not None else ()

    def validate_setting(self, obj: Any) -> None:
        rule_settings.validate_meeting_requirement(obj)

    def save_setting(self, request: Any, obj: Any, change: bool) -> Any:
        if change:
            data = {name: getattr(obj, name) for name in rule_settings.EDITABLE}
            return rule_settings.meeting_requirement_update(acting_user=request.user, obj=obj, data=data)
        data = {name: getattr(obj, name) for name in ["kind", *rule_settings.EDITABLE]}
        return rule_settings.meeting_requirement_create(acting_user=request.user, data=data)

    def delete_setting(self, request: Any, obj: Any) -> None:
        ensure_root_admin(request.user)
        setting_delete(acting_user=request.user, obj=obj)


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
