from typing import Any

from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from . import services
from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "kind", "sector", "parent", "term_due_on", "is_active")
    list_filter = ("kind", "sector", "grade", "is_active", "is_weak")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "descendant_count", "term_due_on")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    show_full_result_count = False

    def save_model(self, request: Any, obj: Organization, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            services.organization_update(acting_user=request.user, organization=obj, **data)
            new_parent = form.cleaned_data.get("parent")
            if new_parent and new_parent.pk != Organization.objects.get(pk=obj.pk).parent_id:
                services.organization_move(acting_user=request.user, organization=obj, new_parent=new_parent)
        else:
            created = services.organization_create(
                acting_user=request.user, parent=form.cleaned_data.get("parent"), **data
            )
            obj.pk = created.pk

    def delete_model(self, request: Any, obj: Organization) -> None:
        services.organization_delete(acting_user=request.user, organization=obj)
