"""Finding 1 (import files), 2 (every import path through the gate; stuck jobs), 4 (audit notes)."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditLog
from apps.members.roster_import.jobs import member_import_job_create, member_import_job_run
from apps.members.roster_import.models import MemberImportJob
from tests.factories.accounts import make_user
from tests.factories.members import make_id_number

from .conftest import sparse_xlsx

pytestmark = pytest.mark.django_db


def _csv(tree) -> bytes:
    number = make_id_number()
    return f"姓名,身份证号,所在党组织\n张三,{number},{tree.branch_a.code}\n".encode()


def test_a_sparse_range_roster_is_refused_on_upload_quickly(users, media_root):
    upload = SimpleUploadedFile("名册.xlsx", sparse_xlsx("XFD1048576", header=("姓名", "身份证号")))
    started = time.monotonic()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        member_import_job_create(acting_user=users.roster_admin, uploaded=upload)
    assert time.monotonic() - started < 2
    assert "使用范围过大" in str(exc.value)


def test_a_sparse_range_item_import_is_refused_with_a_message(client_for, users):
    client = client_for(users.city_staff)
    url = reverse("responsibility:item_import", args=["task"])
    upload = io.BytesIO(sparse_xlsx("XFD1048576"))
    upload.name = "任务.xlsx"
    started = time.monotonic()
    resp = client.post(url, {"file": upload})
    assert time.monotonic() - started < 3
    assert resp.status_code == 200
    assert "使用范围过大" in resp.content.decode()


def test_a_job_whose_worker_died_ends_as_failed(users, tree, media_root, client_for):
    job = member_import_job_create(acting_user=users.roster_admin, uploaded=SimpleUploadedFile("名册.csv", _csv(tree)))
    MemberImportJob.objects.filter(pk=job.pk).update(
        status=MemberImportJob.Status.VALIDATING, started_at=timezone.now() - datetime.timedelta(hours=3)
    )
    resp = client_for(users.roster_admin).get(reverse("members:import_detail", args=[job.pk]))
    assert resp.status_code == 200
    job.refresh_from_db()
    assert job.status == MemberImportJob.Status.FAILED and "意外终止" in job.message


def test_import_files_are_served_scoped_audited_and_the_hash_is_for_admins_only(
    users, tree, media_root, client_for, api_for
):
    job = member_import_job_create(acting_user=users.roster_admin, uploaded=SimpleUploadedFile("名册.csv", _csv(tree)))
    member_import_job_run(job_id=job.pk)
    assert "名册" not in job.file.name and job.sha256 not in job.file.name
    url = reverse("members:import_file", args=[job.pk])
    other_district_roster_admin = make_user(tree.district_b, "roster_admin", username="roster_admin_b")
    assert client_for(other_district_roster_admin).get(url).status_code == 404
    assert client_for(users.district_staff).get(url).status_code == 403  # masked-ID role: not the raw file
    resp = client_for(users.roster_admin).get(url)
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment;")
    assert AuditLog.objects.filter(event="memberimport.file", actor=users.roster_admin).count() == 1
    data = api_for(users.roster_admin).get(f"/api/v1/member-imports/{job.pk}/").json()
    assert data["sha256"] is None
    assert api_for(users.admin).get(f"/api/v1/member-imports/{job.pk}/").json()["sha256"] == job.sha256
    page = client_for(users.roster_admin).get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert job.sha256 not in page


def test_export_audit_note_names_filters_not_values(users, client_for):
    number = make_id_number()
    client_for(users.roster_admin).get(reverse("members:member_export"), {"q": number})
    row = AuditLog.objects.filter(event="member.export_full_pii").latest("id")
    assert number not in row.note and number[:6] + number[6:10] not in row.note
    assert "q" in row.note
