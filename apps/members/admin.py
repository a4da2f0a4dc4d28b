"""Back office: scoped querysets, writes through the services, ID numbers masked; import with the project's
MemberResource (same cleaning rules as the page and the command). No export here: the roster export is the
page's (masked by role, full ID numbers audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from import_export.admin import ImportMixin

from apps.core.admin import ScopedAdminMixin, ValidatedSettingAdminMixin
from apps.core.scoping import ensure_root_admin
from apps.core.services import setting_delete

from . import rule_settings, services
from .models import Member, MemberImportJob, Recruitment, RecruitmentDocument, RecruitmentRule, Transfer


def _resource_classes() -> list:
    from .exports import MemberResource

    return [MemberResource]


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, ImportMixin, admin.ModelAdmin):
    """Import only: the roster export (masked by role, audited) is the page's export button."""

    list_display = ("name", "id_masked", "gender", "category", "status", "organization", "joined_on")
    list_filter = ("category", "status", "gender", "mobile_state", "lost_contact")
    search_fields = ("name",)
    raw_id_fields = ("organization", "party_group")
    list_select_related = ("organization",)
    readonly_fields = ("id_masked", "org_path", "probation_ends_on", "created_at", "updated_at")
    exclude = ("id_number_enc", "id_key_id", "id_hash")
    show_full_result_count = False

    def get_resource_classes(self, request: Any = None) -> list:
        return _resource_classes()

    def get_resource_kwargs(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def save_model(self, request: Any, obj: Member, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            data["organization"] = form.cleaned_data["organization"]
            services.member_update(acting_user=request.user, member=obj, **data)
        else:
            raise PermissionError("请在党员花名册页面新增党员（需要填写身份证号）。")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def delete_model(self, request: Any, obj: Member) -> None:
        services.member_delete(acting_user=request.user, member=obj)


@admin.register(Recruitment)
class RecruitmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "id_masked", "stage", "organization", "applied_on")
    list_filter = ("stage",)
    search_fields = ("name",)
    list_select_related = ("organization",)
    readonly_fields = [
        f.name for f in Recruitment._meta.fields if f.name not in ("id_number_enc", "id_key_id", "id_hash")
    ]
    exclude = ("id_number_enc", "id_key_id", "id_hash", "contacts", "introducers")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(RecruitmentDocument)
class RecruitmentDocumentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "stage", "recruitment", "created_at")
    raw_id_fields = ("recruitment",)


@admin.register(RecruitmentRule)
class RecruitmentRuleAdmin(ValidatedSettingAdminMixin, admin.ModelAdmin):
    """The interval rules of domain.md §3 as data: a province adjusts them here, through the settings page's
    service (``rule_settings``): validated the same way, audited."""

    list_display = ("code", "from_field", "to_field", "min_months", "min_days", "max_months", "waived_by", "is_active")
    list_editable = ("is_active",)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return tuple(rule_settings.STRUCTURE) if obj is not None else ()

    def validate_setting(self, obj: Any) -> None:
        rule_settings.validate_recruitment_rule(obj)

    def save_setting(self, request: Any, obj: Any, change: bool) -> Any:
        if change:
            data = {name: getattr(obj, name) for name in rule_settings.EDITABLE}
            return rule_settings.recruitment_rule_update(acting_user=request.user, obj=obj, data=data)
        data = {name: getattr(obj, name) for name in [*rule_settings.STRUCTURE, *rule_settings.EDITABLE]}
        return rule_settings.recruitment_rule_create(acting_user=request.user, data=data)

    def delete_setting(self, request: Any, obj: Any) -> None:
        ensure_root_admin(request.user)
        setting_delete(acting_user=request.user, obj=obj)


@admin.register(Transfer)
class TransferAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("member", "from_org", "to_org", "status", "valid_until")
    list_filter = ("status", "kind")
    list_select_related = ("member", "from_org", "to_org")
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(MemberImportJob)
class MemberImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [f.name for f in MemberImportJob._meta.fields][:8]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


from . import admin_yearly  # noqa: E402, F401  (the yearly cycle's rule tables)
