"""Exports that may be large: built now when small, as a background job when large.

A page that exports offers ``export_spec()`` (an :class:`ExportSpec`: headers, lazily evaluated rows, the row
count, the file name, and what to do once the file is built — e.g. the audit row of an unmasked roster).
``export_response`` then either returns the workbook at once (up to ``export_sync_max_rows`` rows) or stores
an :class:`~apps.core.models.ExportJob` and sends the user to its page, which shows the progress and then a
download link that expires after ``export_file_hours``.

The job remembers the page's path and query string; the worker rebuilds the same view for the same user and
asks it for the same spec, so a background export applies exactly the page's scope, filters and masking.
The file lives under ``private/exports/`` and leaves only through ``core:export_job_download`` (the owner,
still holding the page's permission, audited). ``export_jobs_cleanup`` (hourly beat task) deletes expired
files and ends jobs whose worker died.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import ExportJob
from .params import get_int_param
from .scoping import user_scope_path
from .spreadsheets import EXPORT_ROW_CAP, write_xlsx, xlsx_file_response

logger = logging.getLogger(__name__)

PARAMS = [
    ("export_sync_max_rows", "2000", "导出Excel：超过此行数时在后台生成，页面显示进度，完成后下载"),
    ("export_file_hours", "24", "导出Excel：后台生成的文件可下载的小时数，过期自动删除"),
    ("export_stale_minutes", "60", "导出Excel：后台任务超过此分钟数仍未完成，视为失败"),
]
PROGRESS_EVERY = 500


@dataclass
class ExportSpec:
    title: str
    filename: str
    headers: list[str]
    rows: Iterable[Iterable[Any]]
    total: int
    sheet: str = ""
    max_rows: int = EXPORT_ROW_CAP
    full_pii: bool = False
    after_build: Callable[[], None] | None = None


def build_workbook(spec: ExportSpec, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The workbook of a spec (cells guarded by write_xlsx); ``progress(rows_done)`` every few hundred rows."""

    def counted(rows: Iterable[Iterable[Any]]) -> Iterator[Iterable[Any]]:
        for done, row in enumerate(rows, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            yield row

    data = write_xlsx(
        headers=spec.headers, rows=counted(spec.rows), sheet=spec.sheet or spec.title, max_rows=spec.max_rows
    )
    if spec.after_build is not None:
        spec.after_build()
    return data


def export_response(request: HttpRequest, *, spec: ExportSpec, permission: str = "") -> HttpResponse:
    """A page's export: the file now when small, else a background job and the job's page."""
    if spec.total <= get_int_param("export_sync_max_rows"):
        return xlsx_file_response(build_workbook(spec), spec.filename)
    job = export_job_create(
        acting_user=request.user,
        title=spec.title,
        total=min(spec.total, spec.max_rows),
        source_path=request.path,
        query=request.GET.urlencode(),
        permission=permission,
        full_pii=spec.full_pii,
    )
    export_job_start(job=job)
    return redirect(job.get_absolute_url())


def has_permissions(user: Any, permission: str) -> bool:
    """``permission``: the page's permissions, comma-separated ("" for none)."""
    return user.has_perms([p for p in permission.split(",") if p])


def export_job_create(
    *,
    acting_user: Any,
    title: str,
    total: int,
    source_path: str,
    query: str,
    permission: str = "",
    full_pii: bool = False,
) -> ExportJob:
    """Record a job (pending). The user's scope is copied onto it; the request is audited."""
    scope = user_scope_path(acting_user)
    if scope is None:
        raise PermissionDenied(_("您没有所属党组织，不能导出。"))
    if not has_permissions(acting_user, permission):
        raise PermissionDenied(_("您的角色没有此项操作的权限。"))
    with transaction.atomic():
        job = ExportJob.objects.create(
            created_by=acting_user,
            org_path=scope or "/",
            title=str(title)[:100],
            source_path=source_path[:255],
            query=query,
            permission=permission,
            full_pii=full_pii,
            total_rows=total,
        )
        audit_record(
            actor=acting_user,
            event="exportjob.create",
            obj=job,
            action="other",
            note=_("后台导出%(t)s，共 %(n)s 行") % {"t": job.title, "n": total},
        )
    return job


def export_job_start(*, job: ExportJob) -> None:
    from .tasks import export_job_task

    transaction.on_commit(lambda: export_job_task.delay(job.pk))


def _rebuild_spec(job: ExportJob) -> ExportSpec:
    """The same view, for the same user and query string, asked for its spec again."""
    try:
        match = resolve(job.source_path)
    except Resolver404 as exc:
        raise ValueError(f"export source {job.source_path!r} no longer exists") from exc
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "export_spec"):
        raise ValueError(f"{job.source_path!r} does not export")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.source_path
    request.GET = QueryDict(job.query)
    request.META = {"SERVER_NAME": "export-job", "SERVER_PORT": "80", "QUERY_STRING": job.query}
    request.user = job.created_by
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    return view.export_spec()


def export_job_run(*, job_id: int) -> ExportJob:
    """Build a pending job's file (called by the task). A job already started or finished is left alone."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0
    )
    job = ExportJob.objects.select_related("created_by", "created_by__organization").get(pk=job_id)
    if not claimed:
        return job  # delivered twice (late ack), or already done: nothing to do
    try:
        user = job.created_by
        if user_scope_path(user) is None or not has_permissions(user, job.permission):
            raise PermissionDenied(_("导出人已无此项导出的权限。"))
        spec = _rebuild_spec(job)
        total = min(spec.total, spec.max_rows)
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(processed_rows=min(done, total))

        data = build_workbook(spec, progress=progress)
        job.file.save(spec.filename, ContentFile(data), save=False)
        job.file_name = spec.filename[:150]
        job.total_rows = job.processed_rows = total
        job.full_pii = spec.full_pii
        job.status = ExportJob.Status.DONE
        job.expires_at = timezone.now() + datetime.timedelta(hours=get_int_param("export_file_hours"))
    except Exception as exc:  # a job must end in a state the page can show
        job.status = ExportJob.Status.FAILED
        job.message = str(exc)[:255] if isinstance(exc, PermissionDenied) else _("导出失败，请稍后重试或缩小筛选范围。")
        if not isinstance(exc, PermissionDenied):
            logger.exception("export job %s failed", job.pk)
    job.finished_at = timezone.now()
    job.save()
    return job


def export_job_expire_stale(*, job: ExportJob) -> ExportJob:
    """A job still running long after it started lost its worker: it ends as failed, never stuck."""
    if not job.is_running:
        return job
    limit = timezone.now() - datetime.timedelta(minutes=get_int_param("export_stale_minutes"))
    if (job.started_at or job.created_at) > limit:
        return job
    ExportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=ExportJob.Status.FAILED,
        message=_("后台处理进程意外终止，请重新导出。"),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def export_jobs_cleanup(*, now: datetime.datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Delete the files of expired jobs (the rows stay, as 已过期) and end stale ones. Idempotent."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).order_by("id")[:batch]:
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        expired += 1
    stale_before = now - datetime.timedelta(minutes=get_int_param("export_stale_minutes"))
    stale = ExportJob.objects.filter(
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING], created_at__lte=stale_before
    ).update(status=ExportJob.Status.FAILED, message=_("后台处理进程意外终止，请重新导出。"), finished_at=now)
    return {"expired": expired, "stale": stale}
