from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from .models import Appeal, AssessmentPlan, AssessmentResult, DutyReport


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Assessment changes go through the workflow pages (services with audit); the back office only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentPlan)
class AssessmentPlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "organization", "year", "status", "published_at")
    list_filter = ("status", "year")


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdmin):
    list_display = ("organization", "plan", "total", "rank", "grade", "vetoed")
    list_filter = ("grade", "vetoed")
    raw_id_fields = ("organization", "plan")
    show_full_result_count = False


@admin.register(DutyReport)
class DutyReportAdmin(ReadOnlyAdmin):
    list_display = ("organization", "year", "reporter_name", "status", "rating")
    list_filter = ("status", "year")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("result", "indicator", "status", "submitted_at")
    list_filter = ("status",)
