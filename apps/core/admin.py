"""Admin base: every admin of a scoped model uses ScopedAdminMixin so the back office obeys scoping too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import AuditLog, Parameter, WorkCalendarDay
from .params import invalidate
from .scoping import scoped_queryset


class ScopedAdminMixin:
    def get_queryset(self, request: Any) -> Any:
        return scoped_queryset(super().get_queryset(request), request.user)  # type: ignore[misc]


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "event", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_name", "event")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "description")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate()


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Root administrators edit the holiday schedule; saving goes through the audited service, which
    recomputes open deadlines."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        from .workdays import calendar_day_set

        if change and "date" in form.changed_data:
            calendar_day_set(acting_user=request.user, date=form.initial["date"], is_workday=None)
        saved = calendar_day_set(acting_user=request.user, date=obj.date, is_workday=obj.is_workday, note=obj.note)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Any) -> None:
        from .workdays import calendar_day_set

        calendar_day_set(acting_user=request.user, date=obj.date, is_workday=None)
