"""Roster import, step 4: jobs. The import history row, preview then confirm (in a Celery task for large
files), the audit row and the error report."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.params import get_int_param
from apps.core.scoping import ensure_perm
from apps.core.spreadsheets import write_xlsx

from .files import (
    ERRORS_PREVIEW_LIMIT,
    ImportRefused,
    check_file,
)
from .rows import RowError
from .write import member_import

# ---------------------------------------------------------------------------------------------------------
# Jobs: the import history row, preview and confirm, the error report.
# ---------------------------------------------------------------------------------------------------------


def member_import_job_create(*, acting_user: Any, uploaded: Any) -> Any:
    """Store an uploaded file as a job (status pending). The file itself is checked when the job runs."""
    from django.core.files.base import File

    from .models import MemberImportJob

    ensure_perm(acting_user, "members.add_member")
    if acting_user.organization_id is None and not acting_user.is_superuser:
        raise ValidationError({"file": _("您没有所属党组织，不能导入党员。")})
    max_mb = get_int_param("member_import_max_mb")
    if uploaded.size > max_mb * 1024 * 1024:
        raise ValidationError(
            {
                "file": _("文件过大（%(s).1f MB），上限为 %(m)s MB，请拆分后分批导入。")
                % {"s": uploaded.size / 1048576, "m": max_mb}
            }
        )
    suffix = Path(uploaded.name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        hint = {
            ".xlsm": _("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。"),
            ".xls": _("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"),
        }
        raise ValidationError({"file": hint.get(suffix, _("不支持的文件类型，请上传 .xlsx 或 .csv 文件。"))})
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    organization = acting_user.organization
    if organization is None:  # a superuser without an organization imports at the top of the tree
        from apps.organizations.models import Organization

        organization = Organization.objects.filter(parent__isnull=True).order_by("id").first()
    job = MemberImportJob(
        organization=organization,
        created_by=acting_user,
        file_name=Path(uploaded.name).name[:255],
        file_size=uploaded.size,
        sha256=digest.hexdigest(),
    )
    uploaded.seek(0)
    job.file.save(job.file_name, File(uploaded), save=False)
    try:
        # Type, macros, encryption, zip bomb, unsafe XML: refused on the upload form, before any parsing.
        check_file(job.file.path, job.file_name)
    except ImportRefused as exc:
        job.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from exc
    job.save()
    return job


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


def member_import_job_confirm(*, acting_user: Any, job: Any) -> Any:
    from .models import MemberImportJob

    ensure_perm(acting_user, "members.add_member")
    if job.created_by_id != acting_user.pk:
        raise ValidationError(_("只能确认自己上传的导入。"))
    if not job.can_confirm:
        raise ValidationError(_("该导入当前不能确认（状态：%(s)s）。") % {"s": job.get_status_display()})
    updated = MemberImportJob.objects.filter(pk=job.pk, status=MemberImportJob.Status.PREVIEWED).update(
        commit_requested=True, status=MemberImportJob.Status.PENDING
    )
    if not updated:
        raise ValidationError(_("该导入已在处理中。"))
    job.refresh_from_db()
    member_import_job_start(job=job)
    return job


def member_import_job_start(*, job: Any) -> None:
    """Small files run inline (the page shows the preview at once); large ones go to Celery."""
    from ..tasks import member_import_task

    threshold_bytes = get_int_param("member_import_async_rows") * 120  # ~120 bytes a row in a zipped sheet
    if job.file_size <= threshold_bytes:
        member_import_job_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: member_import_task.delay(job.pk))


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
