"""Admin base: every admin of a scoped model uses ScopedAdminMixin so the back office obeys scoping too."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError

from .models import AuditLog, Parameter, WorkCalendarDay
from .params import parameter_reset, parameter_set, parameter_validate
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


def _add_labelled_errors(form: Any, exc: ValidationError) -> None:
    """A service's errors on the form: on the field when the form has it, else on top, prefixed with the
    field's label (a list-editable row has only some fields)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    model = form._meta.model
    for field, errors in exc.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
            continue
        try:
            label = str(model._meta.get_field(field).verbose_name)
        except Exception:
            label = ""
        for error in errors:
            for message in error.messages:
                text = message if not label or message.startswith(label) else f"{label}：{message}"
                form.add_error(None, text)


class ValidatedSettingAdminMixin:
    """A deployment-wide table whose page saves through a validating, audited service: the admin uses the
    same service. ``validate_setting(candidate)`` runs in the form (the page's Chinese messages land on the
    fields, also on list-editable rows); ``save_setting(request, obj, change)`` and
    ``delete_setting(request, obj)`` do the writes."""

    def validate_setting(self, obj: Any) -> None:
        raise NotImplementedError

    def save_setting(self, request: Any, obj: Any, change: bool) -> Any:
        raise NotImplementedError

    def delete_setting(self, request: Any, obj: Any) -> None:
        raise NotImplementedError

    def _validating(self, form_class: Any) -> Any:
        admin_ = self

        class ValidatingForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> Any:
                data = super().clean()
                if not self._errors:
                    candidate = copy.copy(self.instance)
                    names = {f.name for f in candidate._meta.concrete_fields}
                    for key, value in data.items():
                        if key in names:
                            setattr(candidate, key, value)
                    try:
                        admin_.validate_setting(candidate)
                    except ValidationError as exc:
                        _add_labelled_errors(self, exc)
                return data

        ValidatingForm.__name__ = form_class.__name__
        return ValidatingForm

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return self._validating(super().get_form(request, obj, change=change, **kwargs))  # type: ignore[misc]

    def get_changelist_form(self, request: Any, **kwargs: Any) -> Any:
        return self._validating(super().get_changelist_form(request, **kwargs))  # type: ignore[misc]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        saved = self.save_setting(request, obj, change)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Any) -> None:
        self.delete_setting(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self.delete_setting(request, obj)


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
class ParameterAdmin(ValidatedSettingAdminMixin, admin.ModelAdmin):
    """Saved by the parameters page's service (``params.parameter_set``): the value checked against its
    default's type, audited, the cache dropped; deleting an override (``parameter_reset``) restores the default."""

    list_display = ("key", "value", "description")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("key", "description") if obj is not None else ("description",)

    def validate_setting(self, obj: Any) -> None:
        parameter_validate(obj.key, obj.value)

    def save_setting(self, request: Any, obj: Any, change: bool) -> Any:
        return parameter_set(acting_user=request.user, key=obj.key, value=obj.value)

    def delete_setting(self, request: Any, obj: Any) -> None:
        parameter_reset(acting_user=request.user, key=obj.key)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Root administrators edit the holiday schedule; saving goes through the audited service, which
    recomputes open deadlines."""

    list_display = ("date", "is_workday", "note", "source")
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
        saved = calendar_day_set(
            acting_user=request.user, date=obj.date, is_workday=obj.is_workday, note=obj.note, source=obj.source
        )
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Any) -> None:
        from .workdays import calendar_day_set

        calendar_day_set(acting_user=request.user, date=obj.date, is_workday=None)
