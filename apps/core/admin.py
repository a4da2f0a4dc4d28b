"""Admin base: every admin of a scoped model uses ScopedAdminMixin so the back office obeys scoping too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import AuditLog, Parameter, WorkCalendarDay
from .params import invalidate
from .scoping import scoped_queryset
from .services import setting_delete, setting_save


class ScopedAdminMixin:
    def get_queryset(self, request: Any) -> Any:
        return scoped_queryset(super().get_queryset(request), request.user)  # type: ignore[misc]


class ServiceAdminMixin:
    """Configuration rows edited in the admin are saved and deleted by ``apps.core.services`` (checked,
    audited). ``organization_field`` names the owning organization for the scope check (None: none)."""

    organization_field: str | None = None

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        setting_save(acting_user=request.user, obj=obj, is_new=not change, organization_field=self.organization_field)

    def delete_model(self, request: Any, obj: Any) -> None:
        setting_delete(acting_user=request.user, obj=obj, organization_field=self.organization_field)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            setting_delete(acting_user=request.user, obj=obj, organization_field=self.organization_field)


class ReadOnlyAdminMixin:
    """Rows that change through a workflow (pages and services); the back office only looks."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


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
class ParameterAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("key", "value", "description")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        invalidate()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
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
