"""失联党员审查 and 流动党员 export what the page shows (docs/ui.md, Tables): the page's filter, its scope, the
member's ID number and phone masked exactly as the roster export masks them, full numbers audited."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditLog
from apps.core.pii import mask_id_number, mask_phone
from apps.members.contact_models import ContactReview, MobileRecord
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()

CONTACT_HEADERS = ["党员", "身份证号", "联系电话", "党支部", "类型", "提出日期", "最后联系/活动日期", "失联原因", "决定",
                   "支委会/支部大会研究日期", "说明"]  # fmt: skip
MOBILE_HEADERS = ["党员", "身份证号", "联系电话", "所在党支部", "流向", "流出/流入地", "流入地党组织", "外出/流入日期",
                  "预计返回/期满日期", "结束日期", "流动党员活动证编号"]  # fmt: skip


def _rows(resp) -> list[tuple]:
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    return [sheet.title, *sheet.iter_rows(values_only=True)]


def _review(member, *, decision="", kind="lost_contact"):
    return ContactReview.objects.create(
        member=member, organization=member.organization, org_path=member.org_path, kind=kind, opened_on=TODAY,
        decision=decision, committee_on=TODAY if decision else None,
    )  # fmt: skip


def _mobile(member, *, place, ended_on=None):
    return MobileRecord.objects.create(
        member=member, organization=member.organization, org_path=member.org_path, direction="outflow", place=place,
        starts_on=TODAY - datetime.timedelta(days=30), ended_on=ended_on, certificate_no="LD-001",
    )  # fmt: skip


@pytest.fixture
def records(tree):
    open_a = make_member(tree.branch_a, name="待研究甲", phone="13812345678")
    decided_a = make_member(tree.branch_a, name="已决定甲", phone="13900001111")
    sibling = make_member(tree.branch_c, name="丙区党员", phone="13700002222")
    _review(open_a)
    _review(decided_a, decision="restored")
    _review(sibling)
    _mobile(open_a, place="深圳")
    _mobile(decided_a, place="广州", ended_on=TODAY)
    _mobile(sibling, place="上海")
    return {"open": open_a, "decided": decided_a, "sibling": sibling}


@pytest.mark.parametrize("name", ["members:contact_review_list", "members:mobility_list"])
def test_page_offers_export_excel_button(users, records, client_for, name):
    html = client_for(users.district_staff).get(reverse(name)).content.decode()
    assert "导出Excel" in html and "export=xlsx" in html


@pytest.mark.parametrize(
    "name, headers, sheet, name_all",
    [
        ("members:contact_review_list", CONTACT_HEADERS, "失联党员审查", "已决定甲"),
        ("members:mobility_list", MOBILE_HEADERS, "流动党员", "已决定甲"),
    ],
)
def test_export_applies_the_page_filter_and_scope(users, records, client_for, name, headers, sheet, name_all):
    client = client_for(users.district_staff)
    title, head, *rows = _rows(client.get(reverse(name) + "?export=xlsx"))
    assert title == sheet and list(head) == headers
    assert [r[0] for r in rows] == ["待研究甲"]  # the page's default filter: open reviews / records only
    title, head, *rows = _rows(client.get(reverse(name) + "?all=1&export=xlsx"))
    assert sorted(r[0] for r in rows) == sorted(["待研究甲", name_all])
    assert "丙区党员" not in [r[0] for r in rows]  # a sibling district's rows never leave
    sibling = _rows(client_for(users.district_b_staff).get(reverse(name) + "?all=1&export=xlsx"))[2:]
    assert [r[0] for r in sibling] == ["丙区党员"]


@pytest.mark.parametrize("name", ["members:contact_review_list", "members:mobility_list"])
def test_id_and_phone_are_masked_as_the_roster_masks_them(users, records, client_for, name):
    member = records["open"]
    rows = _rows(client_for(users.district_staff).get(reverse(name) + "?export=xlsx"))[2:]
    assert rows[0][1] == mask_id_number(member.id_number) != member.id_number
    assert rows[0][2] == mask_phone(member.phone) == "138****5678"
    roster = _rows(client_for(users.district_staff).get(reverse("members:member_export") + "?q=待研究甲"))
    roster_head = list(roster[1])
    roster_row = roster[2]
    assert roster_row[roster_head.index("身份证号")] == rows[0][1]
    assert roster_row[roster_head.index("联系电话")] == rows[0][2]
    assert not AuditLog.objects.filter(event="member.export_full_pii", actor=users.district_staff).exists()


@pytest.mark.parametrize(
    "name, what", [("members:contact_review_list", "失联党员审查"), ("members:mobility_list", "流动党员")]
)
def test_full_numbers_only_for_the_pii_role_and_audited(users, records, client_for, name, what):
    member = records["open"]
    rows = _rows(client_for(users.roster_admin).get(reverse(name) + "?export=xlsx"))[2:]
    assert rows[0][1] == member.id_number and rows[0][2] == "13812345678"
    log = AuditLog.objects.filter(event="member.export_full_pii", actor=users.roster_admin).latest("id")
    assert what in log.note and member.id_number not in log.note


def test_large_export_is_a_job_with_the_page_filter_and_masking(
    users, records, client_for, django_capture_on_commit_callbacks
):
    from apps.core.models import ExportJob, Parameter
    from apps.core.params import invalidate

    Parameter.objects.update_or_create(key="export_sync_max_rows", defaults={"value": "1"})
    invalidate()
    client = client_for(users.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("members:mobility_list") + "?all=1&export=xlsx")
    assert response.status_code == 302
    job = ExportJob.objects.get(created_by=users.district_staff)
    assert job.status == ExportJob.Status.DONE and not job.full_pii and job.total_rows == 2
    rows = _rows(client.get(reverse("core:export_job_download", args=[job.pk])))[2:]
    assert sorted(r[0] for r in rows) == ["已决定甲", "待研究甲"]
    assert all("*" in r[1] and "*" in r[2] for r in rows)
