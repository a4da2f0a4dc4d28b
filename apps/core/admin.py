"""Admin base: every admin of a scoped model uses ScopedAdminMixin so the back office obeys scoping too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import AuditLog, Parameter
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
