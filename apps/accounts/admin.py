from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ScopedAdminMixin

from .models import User
from .services import user_sync_groups


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("organization",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("党建"), {"fields": ("display_name", "phone", "organization", "role")}),
    )

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        user_sync_groups(user=obj)
