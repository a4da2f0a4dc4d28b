from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ServiceAdminMixin

from .models import Accountability, InspectionPlan, Letter, LetterRule, LetterRun, LetterTemplate


@admin.register(LetterRule)
class LetterRuleAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    organization_field = "issuer"
    list_display = ("issuer", "is_active", "reminder_day", "supervision_day", "warning_day", "response_days",
                    "warning_threshold", "warning_window_months")  # fmt: skip
    raw_id_fields = ("issuer",)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    organization_field = "issuer"
    list_display = ("kind", "issuer", "title")
    raw_id_fields = ("issuer",)


@admin.register(Letter)
class LetterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "issuer", "addressee", "period", "status", "response_deadline")
    list_filter = ("kind", "status", "period")
    raw_id_fields = ("issuer", "addressee", "created_by", "read_by", "answered_by", "closed_by")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # letters change through the workflow pages only


@admin.register(LetterRun)
class LetterRunAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("issuer", "kind", "period", "started_at", "finished_at", "created", "existing")
    list_filter = ("kind", "period")
    raw_id_fields = ("issuer",)


@admin.register(Accountability)
class AccountabilityAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Decided on the accountability pages (services.accountability_*); read-only here."""

    list_display = ("organization", "period", "kind", "status")
    raw_id_fields = ("issuer", "organization", "letters")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Planned on the inspection pages (services.inspection_plan_*); read-only here."""

    list_display = ("topic", "organization", "period", "status")
    raw_id_fields = ("organization", "target_root", "inspectors")
