"""Shared kernel models: the audit log and the editable rule parameters."""

from __future__ import annotations

import decimal
import re
from typing import Any

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

    def event_label(self) -> str:
        """The event as a verb phrase people read ("提交了月度台账"); the code itself stays internal."""
        from .audit_labels import event_label

        model = self.content_type.model_class() if self.content_type_id else None
        return event_label(self.event, model._meta.verbose_name if model else "")

    def sentence(self) -> str:
        """ "张建国 提交了月度台账「春华社区第一网格党支部 2026年11月」"."""
        return f"{self.actor_name or '系统'} {self.event_label()}「{self.object_repr}」"

    def display_changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for people: verbose names, choice labels, 是/否 for booleans."""
        model = self.content_type.model_class()
        fields = {f.name: f for f in model._meta.concrete_fields} if model else {}
        rows = []
        for name, pair in (self.changes or {}).items():
            if name in _HIDDEN_FIELDS or all(v in (None, "", [], {}) for v in pair):
                continue
            field = fields.get(name)
            extra = getattr(model, "AUDIT_LABELS", {}) if model else {}
            label = extra.get(name) or _FIELD_LABELS.get(name)
            if label is None and field is not None and str(field.verbose_name) != name.replace("_", " "):
                label = field.verbose_name
            if label is None:
                continue  # an internal field with no Chinese name (paths, keys, counters): not for people
            label = str(label)
            hook = getattr(model, "audit_display_value", None)
            rows.append((label, *(_display_value(field, v, hook, name) for v in pair)))
        return rows


# Labels for snapshot keys that are not model fields (``AUDIT_EXTRA``) or for a model that no longer exists.
_FIELD_LABELS = {
    "id_number": _("身份证号"),
    "created_by": _("登记人"),
    "uploaded_by": _("上传人"),
    "requested_by": _("申请人"),
    "approved_by": _("审批人"),
    "closed_by": _("办结人"),
    "created_at": _("创建时间"),
    "updated_at": _("更新时间"),
    "uploaded_at": _("上传时间"),
}
# Internal links and denormalized copies: never shown in history.
_HIDDEN_FIELDS = {"problem_ref", "org_path", "path", "depth", "descendant_count"}


def _display_value(field: models.Field | None, value: object, hook: Any = None, name: str = "") -> str:
    """A logged value as people read it. A model may describe its structured (JSON) fields itself with
    ``audit_display_value(name, value) -> str | None``; lists never show as Python reprs."""
    if value is None or value == "" or value == [] or value == {}:
        return "（空）"
    if hook is not None:
        shown = hook(name, value)
        if shown is not None:
            return str(shown)
    if isinstance(value, list):
        return "、".join(_display_value(field, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_display_value(None, v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField):
        return _grouped(value)
    if isinstance(field, models.CharField) and field.max_length == 7 and _MONTH_RE.match(str(value)):
        year, month = str(value).split("-")
        return f"{year}年{int(month)}月"  # a stored month (2026-11) as months read (docs/ui.md)
    return str(value)


_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _grouped(value: object) -> str:
    """An amount logged as 3000.00 shown 3,000.00 (docs/ui.md: thousands separator); as logged if not a number."""
    try:
        number = decimal.Decimal(str(value))
    except (ArithmeticError, ValueError):
        return str(value)
    return f"{number:,}" if number.is_finite() else str(value)


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
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {kind} {self.note}".strip()


class ExportJobQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"

    def of_user(self, user: Any) -> ExportJobQuerySet:
        """A user's own jobs in their scope: a file built for one person (masked for their role) is theirs."""
        return self.visible_to(user).filter(created_by_id=user.pk)


class ExportJob(models.Model):
    """A large export built in the background (apps/core/export_jobs.py): progress, then a file that expires.

    The file sits under ``private/exports/`` in the media storage (never served by a URL of its own) and is
    downloaded only through ``core:export_job_download`` by the user who asked for it, while their role still
    has the page's permission; the cleanup task deletes it once ``expires_at`` has passed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("导出内容"), max_length=100)
    source_path = models.CharField(max_length=255)
    query = models.TextField(blank=True)
    permission = models.CharField(max_length=255, blank=True)
    full_pii = models.BooleanField(default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    file = models.FileField(upload_to="private/exports/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField(_("文件名"), max_length=150, blank=True)
    message = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下载有效期至"), null=True, blank=True, db_index=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.title}（{self.created_at:%Y-%m-%d %H:%M}）" if self.created_at else str(self.title)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:export_job_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)

    @property
    def is_downloadable(self) -> bool:
        from django.utils import timezone

        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
