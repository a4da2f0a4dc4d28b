"""Import pages, export, API and the command: scope (sibling 404), forms as submitted, query counts."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.members.models import Member
from apps.members.roster_import.columns import TEMPLATE_HEADERS
from apps.members.roster_import.jobs import member_import_job_create, member_import_job_start
from apps.members.roster_import.models import MemberImportJob
from tests.factories.members import make_member
from tests.members.import_helpers import make_id, member_row, write_xlsx

pytestmark = pytest.mark.django_db


def upload(tmp_path, rows, name="roster.xlsx"):
    path = write_xlsx(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes())


def make_job(user, tmp_path, rows=None, name="roster.xlsx"):
    job = member_import_job_create(acting_user=user, uploaded=upload(tmp_path, rows or [member_row()], name))
    member_import_job_start(job=job)
    job.refresh_from_db()
    return job


def test_upload_preview_confirm_flow(client_for, users, tmp_path):
    client = client_for(users.roster_admin)
    rows = [member_row(身份证号=make_id("19800101", 1)), member_row(姓名="李四", 身份证号="340524198001010013")]
    response = client.post(reverse("members:import_create"), {"file": upload(tmp_path, rows)})
    job = MemberImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.status == "previewed" and 'id="count-new">1<' in page and 'id="count-invalid">1<' in page
    assert "校验码错误" in page and "<td>3</td><td>身份证号</td>" in page
    assert Member.objects.count() == 0
    assert client.post(reverse("members:import_confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and Member.objects.count() == 1
    assert job.sha256 and job.created_by == users.roster_admin and job.error_report


def test_upload_of_macro_workbook_shows_chinese_field_error(client_for, users):
    client = client_for(users.roster_admin)
    bad = SimpleUploadedFile("roster.xlsm", b"PK\x03\x04whatever")
    response = client.post(reverse("members:import_create"), {"file": bad})
    assert response.status_code == 200 and "启用宏" in response.content.decode()
    assert not MemberImportJob.objects.exists()


def test_upload_of_encrypted_workbook_shows_chinese_field_error(client_for, users):
    client = client_for(users.roster_admin)
    bad = SimpleUploadedFile("roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    response = client.post(reverse("members:import_create"), {"file": bad})
    assert response.status_code == 200 and "已加密" in response.content.decode()


def test_branch_secretary_cannot_open_upload_page(client_for, users):
    assert client_for(users.secretary_a).get(reverse("members:import_create")).status_code == 403


def test_sibling_gets_404_on_job_pages_and_list_excludes_it(client_for, users, tmp_path):
    job = make_job(users.roster_admin, tmp_path, [member_row(身份证号="340524198001010013")])
    client = client_for(users.district_b_staff)
    for name in ("import_detail", "import_progress", "import_errors"):
        assert client.get(reverse(f"members:{name}", args=[job.pk])).status_code == 404, name
    assert client.post(reverse("members:import_confirm", args=[job.pk])).status_code == 404
    assert job.file_name not in client.get(reverse("members:import_list")).content.decode()
    assert job.file_name in client_for(users.district_staff).get(reverse("members:import_list")).content.decode()


def test_only_the_uploader_confirms(client_for, users, tmp_path):
    job = make_job(users.roster_admin, tmp_path)
    client_for(users.district_staff).post(reverse("members:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "previewed" and not Member.objects.exists()


def test_error_report_download(client_for, users, tmp_path):
    job = make_job(users.roster_admin, tmp_path, [member_row(身份证号="340524198001010013")])
    response = client_for(users.roster_admin).get(reverse("members:import_errors", args=[job.pk]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0] == ("行号", "列", "错误信息") and rows[1][:2] == (2, "身份证号")


def test_progress_fragment_polls_while_running_and_refreshes_when_done(client_for, users, tmp_path):
    job = make_job(users.roster_admin, tmp_path)
    client = client_for(users.roster_admin)
    url = reverse("members:import_progress", args=[job.pk])
    assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    MemberImportJob.objects.filter(pk=job.pk).update(status="validating", total_rows=200, processed_rows=50)
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body and "25%" in body


def test_import_list_query_count_does_not_grow(client_for, users, tmp_path, django_assert_max_num_queries):
    client = client_for(users.roster_admin)
    url = reverse("members:import_list")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    count()  # warm the permission cache
    for i in range(3):
        MemberImportJob.objects.create(
            organization=users.roster_admin.organization,
            created_by=users.roster_admin,
            file_name=f"f{i}.xlsx",
            sha256="0" * 64,
        )
    three = count()
    for i in range(27):
        MemberImportJob.objects.create(
            organization=users.roster_admin.organization,
            created_by=users.roster_admin,
            file_name=f"g{i}.xlsx",
            sha256="0" * 64,
        )
    assert count() == three <= 12


def test_template_download(client_for, users):
    response = client_for(users.secretary_a).get(reverse("members:import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADERS


# -- export --------------------------------------------------------------------------------------------------


def _export(client, **params):
    response = client.get(reverse("members:member_export"), params)
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_export_is_scoped_filtered_and_masked(client_for, tree, users):
    a = make_member(tree.branch_a, name="甲党员", category="full")
    make_member(tree.branch_a, name="甲预备", category="probationary", confirmed_on=None)
    make_member(tree.branch_c, name="丙党员")
    rows = _export(client_for(users.district_staff))
    names = {r[0] for r in rows[1:]}
    assert names == {"甲党员", "甲预备"}
    id_col = TEMPLATE_HEADERS.index("身份证号")
    assert all("********" in r[id_col] for r in rows[1:])
    filtered = _export(client_for(users.district_staff), category="probationary")
    assert {r[0] for r in filtered[1:]} == {"甲预备"}
    full = _export(client_for(users.roster_admin), category="full")
    assert full[1][id_col] == a.id_number
    assert {r[0] for r in _export(client_for(users.district_b_staff))[1:]} == {"丙党员"}


def test_full_pii_export_is_audited(client_for, tree, users):
    from apps.core.models import AuditLog

    make_member(tree.branch_a, name="甲党员")
    _export(client_for(users.roster_admin))
    assert AuditLog.objects.filter(event="member.export_full_pii", actor=users.roster_admin).exists()
    _export(client_for(users.district_staff))
    assert not AuditLog.objects.filter(event="member.export_full_pii", actor=users.district_staff).exists()


# -- API -----------------------------------------------------------------------------------------------------


def test_api_upload_preview_confirm(api_for, users, tmp_path):
    api = api_for(users.roster_admin)
    response = api.post("/api/v1/member-imports/", {"file": upload(tmp_path, [member_row()])}, format="multipart")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["new_count"]) == ("previewed", 1)
    response = api.post(f"/api/v1/member-imports/{data['id']}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert Member.objects.count() == 1


def test_api_upload_refused_file_is_400_in_chinese(api_for, users):
    bad = SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    response = api_for(users.roster_admin).post("/api/v1/member-imports/", {"file": bad}, format="multipart")
    assert response.status_code == 400 and ".xls" in response.json()["file"][0]


def test_api_sibling_gets_404_and_list_excludes(api_for, users, tmp_path):
    job = make_job(users.roster_admin, tmp_path)
    api = api_for(users.district_b_staff)
    assert api.get(f"/api/v1/member-imports/{job.pk}/").status_code == 404
    assert api.post(f"/api/v1/member-imports/{job.pk}/confirm/").status_code == 404
    assert api.get("/api/v1/member-imports/").json()["results"] == []
    assert [j["id"] for j in api_for(users.district_staff).get("/api/v1/member-imports/").json()["results"]] == [job.pk]


def test_api_secretary_cannot_upload_or_list(api_for, users, tmp_path):
    api = api_for(users.secretary_a)
    assert (
        api.post("/api/v1/member-imports/", {"file": upload(tmp_path, [member_row()])}, format="multipart").status_code
        == 403
    )
    assert api.get("/api/v1/member-imports/").status_code == 403


def test_api_list_query_count_does_not_grow(api_for, users):
    api = api_for(users.roster_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/member-imports/").status_code == 200
        return len(ctx)

    def add(n):
        for i in range(n):
            MemberImportJob.objects.create(
                organization=users.roster_admin.organization,
                created_by=users.roster_admin,
                file_name=f"f{i}.xlsx",
                sha256="0" * 64,
            )

    count()  # warm the permission cache
    add(3)
    three = count()
    add(27)
    assert count() == three <= 8


# -- command -------------------------------------------------------------------------------------------------


def test_command_json_dry_run_then_import(users, tmp_path, capsys):
    rows = [member_row(身份证号=make_id("19800101", 1)), member_row(姓名="李四", 身份证号="340524198001010013")]
    path = write_xlsx(tmp_path / "cli.xlsx", rows)
    call_command("import_members", str(path), "--user", "roster_admin", "--dry-run", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
        "errors": [{"row": 3, "column": "身份证号", "message": out["errors"][0]["message"]}],
    }
    assert Member.objects.count() == 0
    call_command("import_members", str(path), "--user", "roster_admin", "--format", "json")
    assert json.loads(capsys.readouterr().out)["new"] == 1 and Member.objects.count() == 1


def test_command_exits_non_zero_when_nothing_imports(users, tmp_path, capsys):
    path = write_xlsx(tmp_path / "bad.xlsx", [member_row(身份证号="340524198001010013")])
    with pytest.raises(SystemExit) as exc:
        call_command("import_members", str(path), "--user", "roster_admin", "--format", "json")
    assert exc.value.code == 1
    assert json.loads(capsys.readouterr().out)["invalid"] == 1


def test_large_file_runs_as_celery_task_with_progress(
    client_for, users, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.members.roster_import import jobs

    real = jobs.get_int_param
    monkeypatch.setattr(jobs, "get_int_param", lambda k: 0 if k == "member_import_async_rows" else real(k))
    calls = []
    from apps.members import tasks

    original = tasks.member_import_task.delay
    monkeypatch.setattr(tasks.member_import_task, "delay", lambda job_id: calls.append(job_id) or original(job_id))
    rows = [member_row(姓名=f"党员{i}", 身份证号=make_id("19800101", i)) for i in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users.roster_admin).post(
            reverse("members:import_create"), {"file": upload(tmp_path, rows)}
        )
    job = MemberImportJob.objects.get()
    assert response.status_code == 302 and calls == [job.pk]
    job.refresh_from_db()
    assert job.status == "previewed" and job.new_count == 3 and job.processed_rows == 3 and job.progress_percent == 100


def test_command_refused_file_prints_same_shape_and_fails(users, tmp_path, capsys):
    from django.core.management.base import CommandError

    path = tmp_path / "macro.xlsm"
    path.write_bytes(b"PK\x03\x04whatever")
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--user", "roster_admin", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"new", "updated", "unchanged", "invalid", "errors"} and "宏" in out["errors"][0]["message"]
