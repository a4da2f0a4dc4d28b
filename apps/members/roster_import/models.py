"""The import history: one row per uploaded roster file, polled by the progress page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet


class MemberImportJobQuerySet(OrgScopedQuerySet):
    scope_path = "organization__path"


def _upload_to(instance: MemberImportJob, filename: str) -> str:
    return f"member_imports/{instance.sha256[:2]}/{instance.sha256}{_suffix(filename)}"


def _report_to(instance: MemberImportJob, filename: str) -> str:
    return f"member_imports/reports/{filename}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:8] if dot >= 0 else ""


class MemberImportJob(models.Model):
    """An uploaded roster file: who, where, when, which file (name and SHA-256), preview and result counts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        VALIDATING = "validating", _("校验中")
        PREVIEWED = "previewed", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("导入范围"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    commit_requested = models.BooleanField(_("已确认导入"), default=False)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    invalid_count = models.PositiveIntegerField(_("有错误"), default=0)
    message = models.TextField(_("说明"), blank=True)
    # The first errors, for the page; the full list is in error_report (an .xlsx kept for download).
    errors_preview = models.JSONField(_("错误摘要"), default=list, blank=True)
    error_report = models.FileField(_("错误报告"), upload_to=_report_to, max_length=200, blank=True)

    objects = MemberImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员导入记录")
        verbose_name_plural = _("党员导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("members:import_detail", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED and (self.new_count + self.updated_count) > 0
