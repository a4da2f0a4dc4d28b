"""Roster import, step 4: jobs. The import history row, preview then confirm (in a Celery task for large
files). The run itself (the task's side) is ``run``: jobs -> tasks -> run, and jobs -> run, with no loop."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.params import get_int_param
from apps.core.scoping import ensure_perm, user_root

from ..tasks import member_import_task
from .files import ImportRefused, check_file
from .run import member_import_job_run

__all__ = [
    "member_import_job_confirm",
    "member_import_job_create",
    "member_import_job_expire_stale",
    "member_import_job_run",
    "member_import_job_start",
]

if TYPE_CHECKING:
    from apps.accounts.models import User

# ---------------------------------------------------------------------------------------------------------
# Jobs: the import history row, preview and confirm, the error report.
# ---------------------------------------------------------------------------------------------------------


def member_import_job_create(*, acting_user: User, uploaded: Any) -> Any:
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
    organization = user_root(acting_user)  # a superuser without an organization imports at the top
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


def member_import_job_expire_stale(*, job: Any) -> Any:
    """A running job with no end after ``member_import_stale_minutes`` lost its worker: mark it failed."""
    from .models import MemberImportJob

    if not job.is_running:
        return job
    limit = timezone.now() - datetime.timedelta(minutes=get_int_param("member_import_stale_minutes"))
    if (job.started_at or job.created_at) > limit:
        return job
    message = _("后台处理进程意外终止（可能超出内存上限或服务重启），本次导入未写入任何数据。请检查文件后重新上传。")
    updated = MemberImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=MemberImportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )
    if updated:
        job.refresh_from_db()
    return job


def member_import_job_confirm(*, acting_user: User, job: Any) -> Any:
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
    threshold_bytes = get_int_param("member_import_async_rows") * 120  # ~120 bytes a row in a zipped sheet
    if job.file_size <= threshold_bytes:
        member_import_job_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: member_import_task.delay(job.pk))
