"""Shared kernel models: the audit log and the editable rule parameters."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import OrgScopedQuerySet


class AuditLogQuerySet(OrgScopedQuerySet):
    # The organization path is copied onto the row, so the log stays scoped after an organization is deleted.
    scope_path = "org_path"

    def for_object(self, obj: models.Model) -> AuditLogQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditLog(models.Model):
    """Who changed what, when: one row per create/update/delete done through a service."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        VIEW_PII = "view_pii", _("查看完整个人信息")
        OTHER = "other", _("其他")

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    event = models.CharField(_("事件"), max_length=64, help_text=_("如 organization.update"))
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("对象"), max_length=255)
    org_path = models.CharField(max_length=255, db_index=True)
    changes = models.JSONField(_("变更"), default=dict, encoder=DjangoJSONEncoder)
    note = models.CharField(_("备注"), max_length=255, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.event} {self.object_repr}"

    def display_changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for people: verbose names, choice labels, 是/否 for booleans."""
        model = self.content_type.model_class()
        fields = {f.name: f for f in model._meta.concrete_fields} if model else {}
        rows = []
        for name, pair in (self.changes or {}).items():
            if all(v in (None, "", [], {}) for v in pair):
                continue
            field = fields.get(name)
            label = str(field.verbose_name) if field is not None else name
            rows.append((label, *(_display_value(field, v) for v in pair)))
        return rows


def _display_value(field: models.Field | None, value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


class Parameter(models.Model):
    """A rule value an admin can edit (local practice kept as data, per shared/domain.md)."""

    key = models.CharField(_("参数键"), max_length=64, unique=True)
    value = models.CharField(_("参数值"), max_length=255)
    description = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("规则参数")
        verbose_name_plural = _("规则参数")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class WorkCalendarDay(models.Model):
    """A date that differs from the default Monday–Friday week: a public holiday on a weekday
    (``is_workday`` False) or a make-up working day (调休上班) on a weekend (``is_workday`` True).
    Read through ``apps.core.workdays``; written through ``workdays.calendar_day_set`` (audited)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选：调休上班；不勾选：法定节假日放假"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {kind} {self.note}".strip()
