"""Roster import, step 5: running a job — the preview (dry run) or, once confirmed, the commit; the audit row
and the error report. Called inline by ``jobs.member_import_job_start`` and by ``tasks.member_import_task``."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.spreadsheets import write_xlsx

from .files import ERRORS_PREVIEW_LIMIT, ImportRefused
from .rows import RowError
from .write import member_import


def member_import_job_run(*, job_id: int) -> Any:
    """Run a job's preview (dry run) or, once confirmed, its commit. Called by the task and inline."""
    from .models import MemberImportJob

    job = MemberImportJob.objects.select_related("created_by", "organization").get(pk=job_id)
    if job.status == MemberImportJob.Status.DONE:
        return job  # a task delivered twice (late ack) does not import twice
    commit = job.commit_requested
    job.status = MemberImportJob.Status.IMPORTING if commit else MemberImportJob.Status.VALIDATING
    job.started_at = timezone.now()
    job.processed_rows = 0
    job.save(update_fields=["status", "started_at", "processed_rows"])

    def progress(done: int, total: int) -> None:
        MemberImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    try:
        with _local_copy(job.file) as path:
            result = member_import(
                acting_user=job.created_by, path=path, file_name=job.file_name, commit=commit, progress=progress
            )
    except ImportRefused as exc:
        job.status, job.message = MemberImportJob.Status.FAILED, str(exc)
    except Exception as exc:  # a job must end in a state the page can show
        job.status = MemberImportJob.Status.FAILED
        job.message = _("导入失败，未写入任何数据：%(e)s") % {"e": str(exc)[:300]}
        if not isinstance(exc, (ValidationError, PermissionError)):
            import logging

            logging.getLogger(__name__).exception("member import job %s failed", job.pk)
    else:
        job.total_rows = job.processed_rows = result.total
        job.new_count, job.updated_count = result.new, result.updated
        job.unchanged_count, job.invalid_count = result.unchanged, result.invalid
        job.errors_preview = [e.as_dict() for e in result.errors[:ERRORS_PREVIEW_LIMIT]]
        job.new_preview = result.new_sample
        if result.ignored_headers:
            job.message = _("以下列无法识别，已忽略：%(h)s") % {"h": "、".join(result.ignored_headers)}
        if result.errors:
            job.error_report.save(f"errors-{job.pk}.xlsx", _error_report(result.errors), save=False)
        if commit:
            job.status = MemberImportJob.Status.DONE
            _audit_job(job)
        else:
            job.status = MemberImportJob.Status.PREVIEWED
    job.finished_at = timezone.now()
    job.save()
    return job


@contextlib.contextmanager
def _local_copy(field_file: Any) -> Iterator[Path]:
    """A filesystem path for the stored upload (a temporary copy when storage is remote)."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp, field_file.open("rb") as src:
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def _audit_job(job: Any) -> None:
    from apps.core.audit import audit_record

    audit_record(
        actor=job.created_by,
        event="member.import",
        obj=job,
        org_path=job.organization.path,
        action="create",
        note=_("导入%(f)s：新增%(n)s，更新%(u)s，未变化%(s)s，有错误%(i)s")
        % {
            "f": job.file_name,
            "n": job.new_count,
            "u": job.updated_count,
            "s": job.unchanged_count,
            "i": job.invalid_count,
        },
    )


def _error_report(errors: list[RowError]) -> Any:
    from django.core.files.base import ContentFile

    data = write_xlsx(
        headers=[_("行号"), _("列"), _("错误信息")],
        rows=([error.row, error.column, error.message] for error in errors),
        sheet=_("错误清单"),
    )
    return ContentFile(data)
