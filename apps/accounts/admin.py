from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ScopedAdminMixin

from .models import User
from .services import user_sync_groups


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    """Root superusers only (apps.core.admin_site). The role *is* the group: no group or permission boxes,
    so saving a user can never drop their role; the group is re-synced from the role after every save."""

    list_display = ("username", "display_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("organization",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("党建"), {"fields": ("display_name", "phone", "email", "organization", "role")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user_sync_groups(user=form.instance)
