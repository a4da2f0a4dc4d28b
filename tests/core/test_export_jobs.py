"""Large exports run as background jobs: progress page, owner-only scoped download, expiry and cleanup,
the same rows (and masking, and audit) as the synchronous export."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.export_jobs import export_jobs_cleanup
from apps.core.models import AuditLog, ExportJob, Parameter
from apps.core.params import invalidate
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def _threshold(rows: int) -> None:
    Parameter.objects.update_or_create(key="export_sync_max_rows", defaults={"value": str(rows)})
    invalidate()


def _rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def roster(tree):
    members = [make_member(tree.branch_a) for _ in range(4)] + [make_member(tree.branch_b) for _ in range(2)]
    make_member(tree.branch_c)  # another district: never in district_a's exports
    return members


def _export_as_job(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302, response.content[:200]
    job = ExportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    return job


def test_small_roster_export_stays_synchronous(roster, users, client_for):
    response = client_for(users.roster_admin).get(reverse("members:member_export"))
    assert response.status_code == 200
    assert len(_rows(response.content)) == 1 + 6
    assert not ExportJob.objects.exists()


def test_large_roster_export_is_a_job_with_the_same_rows(roster, users, client_for, django_capture_on_commit_callbacks):
    client = client_for(users.roster_admin)
    url = reverse("members:member_export") + "?category=full"
    sync_rows = _rows(client.get(url).content)
    _threshold(3)
    job = _export_as_job(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE
    assert job.total_rows == 6 and job.processed_rows == 6 and job.full_pii
    assert job.file.name.startswith("private/exports/")
    assert job.expires_at > timezone.now() + datetime.timedelta(hours=23)

    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "已完成" in text and reverse("core:export_job_download", args=[job.pk]) in text

    before = AuditLog.objects.filter(event="member.export_full_pii").count()
    download = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert _rows(_body(download)) == sync_rows  # same rows, same (unmasked) ID numbers
    assert AuditLog.objects.filter(event="exportjob.download", object_id=str(job.pk), action="view_pii").exists()
    assert AuditLog.objects.filter(event="member.export_full_pii").count() == before  # one per export, not per download


def test_job_export_masks_ids_for_roles_without_full_pii(roster, users, client_for, django_capture_on_commit_callbacks):
    _threshold(1)
    client = client_for(users.district_staff)
    job = _export_as_job(client, reverse("members:member_export"), django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE and not job.full_pii
    rows = _rows(_body(client.get(reverse("core:export_job_download", args=[job.pk]))))
    id_col = rows[0].index("身份证号")
    assert all("*" in r[id_col] for r in rows[1:]) and len(rows) == 1 + 6
    assert not AuditLog.objects.filter(event="member.export_full_pii", actor=users.district_staff).exists()


def test_only_the_owner_in_scope_sees_or_downloads_a_job(
    roster, users, client_for, django_capture_on_commit_callbacks, client
):
    _threshold(1)
    job = _export_as_job(
        client_for(users.roster_admin), reverse("members:member_export"), django_capture_on_commit_callbacks
    )
    urls = [
        reverse("core:export_job_detail", args=[job.pk]),
        reverse("core:export_job_progress", args=[job.pk]),
        reverse("core:export_job_download", args=[job.pk]),
    ]
    for other in (users.secretary_b, users.district_b_staff, users.city_staff):  # sibling, other district, above
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        assert job.title not in client.get(reverse("core:export_job_list")).content.decode()
    client.force_login(users.roster_admin)
    assert job.title in client.get(reverse("core:export_job_list")).content.decode()


def test_expired_file_is_refused_and_cleaned(roster, users, client_for, django_capture_on_commit_callbacks):
    _threshold(1)
    client = client_for(users.roster_admin)
    job = _export_as_job(client, reverse("members:member_export"), django_capture_on_commit_callbacks)
    storage, name = job.file.storage, job.file.name
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert response.status_code == 410 and "已过期" in response.content.decode()
    assert export_jobs_cleanup() == {"expired": 1, "stale": 0}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and not storage.exists(name)
    assert export_jobs_cleanup() == {"expired": 0, "stale": 0}  # idempotent


def test_a_stale_running_job_ends_failed(users):
    job = ExportJob.objects.create(
        created_by=users.roster_admin, org_path=users.roster_admin.organization.path, title="党员名册",
        source_path=reverse("members:member_export"), status=ExportJob.Status.RUNNING,
    )  # fmt: skip
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    assert export_jobs_cleanup()["stale"] == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "重新导出" in job.message


def test_download_needs_the_page_permission_still(roster, users, client_for, django_capture_on_commit_callbacks):
    _threshold(1)
    client = client_for(users.roster_admin)
    job = _export_as_job(client, reverse("members:member_export"), django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=job.pk).update(permission="members.no_such_permission")
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 403


def test_list_page_exports_run_as_jobs_with_the_page_filters(
    roster, users, client_for, django_capture_on_commit_callbacks
):
    """The generic list export (ListExportMixin): the audit log, filtered, as a job."""
    client_for(users.roster_admin).get(reverse("members:member_export"))  # a view_pii row
    client_for(users.roster_admin).get(reverse("members:member_export"))
    client = client_for(users.city_staff)
    url = reverse("core:auditlog_list") + "?export=xlsx&action=view_pii"
    _threshold(100000)
    sync = _rows(client.get(url).content)
    assert len(sync) == 1 + 2 and AuditLog.objects.exclude(action="view_pii").exists()
    _threshold(0)
    job = _export_as_job(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE
    assert _rows(_body(client.get(reverse("core:export_job_download", args=[job.pk])))) == sync
    assert job.total_rows == len(sync) - 1
