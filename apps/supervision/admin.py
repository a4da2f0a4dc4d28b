from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from . import rule_settings
from .models import Accountability, InspectionPlan, Letter, LetterRule, LetterRun, LetterTemplate


class LetterRuleAdminForm(forms.ModelForm):
    """The same validation as the settings page (``rule_settings.validate_rule``), shown on the fields."""

    class Meta:
        model = LetterRule
        fields = ["issuer", *rule_settings.RULE_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rule = LetterRule(**{name: data[name] for name in rule_settings.RULE_FIELDS if name in data})
        if not self.errors:
            try:
                rule_settings.validate_rule(rule)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(LetterRule)
class LetterRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Saved and deleted by the settings pages' service (``rule_settings``): one validated, audited path."""

    form = LetterRuleAdminForm
    list_display = ("issuer", "is_active", "reminder_day", "supervision_day", "warning_day", "response_days",
                    "warning_threshold", "warning_window_months")  # fmt: skip
    raw_id_fields = ("issuer",)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("issuer",) if obj is not None else ()

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        data = {name: getattr(obj, name) for name in rule_settings.RULE_FIELDS}
        saved = rule_settings.letter_rule_update(acting_user=request.user, issuer=obj.issuer, data=data)
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Any) -> None:
        rule_settings.letter_rule_delete(acting_user=request.user, issuer=obj.issuer)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset.select_related("issuer"):
            rule_settings.letter_rule_delete(acting_user=request.user, issuer=obj.issuer)


class LetterTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["issuer", "kind", "title", "body"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind") or getattr(self.instance, "kind", "")
        if not self.errors:
            try:
                rule_settings.validate_template(kind=kind, title=data.get("title", ""), body=data.get("body", ""))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Saved and deleted by the settings pages' service (``rule_settings``); the default wording (no issuer)
    only by root administrators."""

    form = LetterTemplateAdminForm
    list_display = ("kind", "issuer", "title")
    raw_id_fields = ("issuer",)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("issuer", "kind") if obj is not None else ()

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        saved = rule_settings.letter_template_update(
            acting_user=request.user, issuer=obj.issuer, kind=obj.kind, title=obj.title, body=obj.body
        )
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Any) -> None:
        rule_settings.letter_template_reset(acting_user=request.user, issuer=obj.issuer, kind=obj.kind)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset.select_related("issuer"):
            rule_settings.letter_template_reset(acting_user=request.user, issuer=obj.issuer, kind=obj.kind)


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
