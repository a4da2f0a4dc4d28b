from typing import Any

from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from . import services
from .models import CommunityRegistration, MicroWish, ServiceCategory, ServiceRequest


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Categories are data per region; saved through the audited service."""

    list_display = (
        "__str__",
        "organization",
        "response_limit_days",
        "closure_limit_days",
        "follow_up_days",
        "is_active",
    )
    list_select_related = ("organization", "parent")
    list_filter = ("is_active",)
    fields = ("organization", "parent", "name", "response_limit_days", "closure_limit_days", "follow_up_days",
              "sort_order", "is_active")  # fmt: skip

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # deactivate instead: requests keep their category

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.CATEGORY_FIELDS if name in form.cleaned_data}
        saved = services.category_save(
            acting_user=request.user,
            organization=form.cleaned_data["organization"],
            category=ServiceCategory.objects.get(pk=obj.pk) if change else None,
            **fields,
        )
        obj.pk = saved.pk


class _ReadOnlyScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Writes go through the pages (services); the back office only looks."""

    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(_ReadOnlyScopedAdmin):
    list_display = ("code", "organization", "category", "status", "received_at", "due_on")
    list_select_related = ("organization", "category")
    list_filter = ("status",)
    exclude = ("requester_name", "requester_phone", "requester_address")


@admin.register(MicroWish)
class MicroWishAdmin(_ReadOnlyScopedAdmin):
    list_display = ("title", "organization", "status", "claimant_name")
    list_select_related = ("organization",)


@admin.register(CommunityRegistration)
class CommunityRegistrationAdmin(_ReadOnlyScopedAdmin):
    list_display = ("id", "organization", "home_org", "kind", "status", "registered_on")
    list_select_related = ("organization", "home_org")
