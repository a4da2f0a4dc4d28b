import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core.periods import Period
from apps.responsibility import services
from apps.responsibility.models import Issuance, MeetingAttachment, MonthlyLedger, TaskItem
from tests.factories.responsibility import (
    last_month,
    make_ledger,
    make_meeting,
    make_member,
    make_problem,
    make_task,
    system_user,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def data(tree, users):
    task = make_task(tree.branch_a)
    problem = make_problem(tree.branch_a)
    duty = services.duty_create(
        acting_user=system_user(),
        organization=tree.branch_a,
        year=TODAY.year,
        person_name="张建国",
        post="secretary",
        duties="抓党建第一责任人",
    )
    ledger = make_ledger(tree.branch_a)
    meeting = make_meeting(ledger)
    att = services.attachment_add(
        acting_user=system_user(), meeting=meeting, file=SimpleUploadedFile("记录.pdf", PDF, "application/pdf")
    )
    issuance = services.items_issue(
        acting_user=system_user(),
        issuer=tree.street_a,
        item_type="task",
        year=TODAY.year,
        title="下发任务",
        payload={},
        due_date=TODAY + datetime.timedelta(days=5),
        roots=[tree.branch_a],
    )
    return {
        "task": task,
        "problem": problem,
        "rect": problem.rectification,
        "duty": duty,
        "ledger": ledger,
        "meeting": meeting,
        "attachment": att,
        "issuance": issuance,
    }


OBJECT_PAGES = [
    ("task_detail", "task"),
    ("task_update", "task"),
    ("task_progress", "task"),
    ("problem_detail", "problem"),
    ("duty_detail", "duty"),
    ("duty_update", "duty"),
    ("rectification_detail", "rect"),
    ("rectification_notice", "rect"),
    ("rectification_update", "rect"),
    ("rectification_progress", "rect"),
    ("rectification_complete", "rect"),
    ("rectification_signoff", "rect"),
    ("rectification_recheck", "rect"),
    ("ledger_detail", "ledger"),
    ("ledger_update", "ledger"),
    ("ledger_submit", "ledger"),
    ("ledger_review", "ledger"),
    ("meeting_create", "ledger"),
    ("meeting_update", "meeting"),
    ("meeting_delete", "meeting"),
    ("attachment_add", "meeting"),
    ("attachment_download", "attachment"),
    ("attachment_delete", "attachment"),
]


@pytest.mark.parametrize("name,key", OBJECT_PAGES)
def test_sibling_branch_secretary_gets_404(tree, users, data, client_for, name, key):
    url = reverse(f"responsibility:{name}", args=[data[key].pk])
    client = client_for(users.secretary_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in (404, 405)  # 405: read-only page


@pytest.mark.parametrize("name,key", OBJECT_PAGES)
def test_own_pages_render_for_an_upper_staff(tree, users, data, client_for, name, key):
    resp = client_for(users.district_staff).get(reverse(f"responsibility:{name}", args=[data[key].pk]))
    assert resp.status_code in (200, 302)


def test_issuance_detail_sibling_district_404(tree, users, data, client_for):
    url = reverse("responsibility:issuance_detail", args=[data["issuance"].pk])
    assert client_for(users.district_b_staff).get(url).status_code == 404
    resp = client_for(users.district_staff).get(url)
    assert resp.status_code == 200 and "甲支部" in resp.content.decode()


def test_branch_status_page_sibling_404_and_shows_gaps(tree, users, data, client_for):
    url = reverse("responsibility:branch_status", args=[tree.branch_a.pk]) + f"?month={last_month()}"
    assert client_for(users.secretary_b).get(url).status_code == 404
    body = client_for(users.secretary_a).get(url).content.decode()
    assert "主题党日" in body and "党小组会" in body


LISTS = ["item_list", "problem_list", "duty_list", "rectification_list", "ledger_list", "issuance_list"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_exclude_out_of_scope_rows(tree, users, data, client_for, name):
    resp = client_for(users.secretary_b).get(reverse(f"responsibility:{name}"))
    assert resp.status_code in (200, 403)
    if resp.status_code == 200:
        assert len(resp.context["object_list"]) == 0


@pytest.mark.parametrize("name", LISTS)
def test_exports_exclude_out_of_scope_rows(tree, users, data, client_for, name):
    from openpyxl import load_workbook

    make_task(tree.branch_b, content="乙支部任务")
    resp = client_for(users.secretary_b).get(reverse(f"responsibility:{name}") + "?export=xlsx")
    if resp.status_code != 200 or name == "issuance_list":
        return
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert not any("甲支部" in str(c) for r in rows for c in r)


def _make_rows(tree, n):
    for _ in range(n):
        make_task(tree.branch_a)
        make_problem(tree.branch_a)
        services.duty_create(
            acting_user=system_user(),
            organization=tree.branch_a,
            year=TODAY.year,
            person_name="x",
            post="deputy",
            duties="y",
        )
        services.items_issue(
            acting_user=system_user(),
            issuer=tree.street_a,
            item_type="duty",
            year=TODAY.year,
            title="t",
            payload={"post": "deputy"},
            roots=[tree.branch_a],
        )


def _ledgers(tree, n, skip=0):
    start = Period.current().shift(-n - skip)
    for i in range(n):
        make_meeting(make_ledger(tree.branch_a, start.shift(i)))


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_does_not_grow_with_rows(tree, users, client_for, name):
    client = client_for(users.district_staff)
    url = reverse(f"responsibility:{name}")
    _make_rows(tree, 3)
    _ledgers(tree, 3)
    few, _r = count_queries(lambda: client.get(url), warm=True)
    _make_rows(tree, 27)
    _ledgers(tree, 27, skip=3)
    many, resp = count_queries(lambda: client.get(url))
    page_size = resp.context["paginator"].per_page
    assert len(resp.context["object_list"]) >= min(30, page_size)
    assert resp.context["paginator"].count >= 30
    assert few == many <= 14


def test_rollup_page_query_count_bounded(tree, users, client_for):
    from apps.responsibility.stats import stats_refresh

    stats_refresh(period=last_month())
    client = client_for(users.city_staff)
    url = reverse("responsibility:rollup") + f"?month={last_month()}"
    n, resp = count_queries(lambda: client.get(url), warm=True)
    body = resp.content.decode()
    assert "甲区委" in body and "乙区委" in body
    assert n <= 12


def test_rollup_page_of_sibling_scope_shows_nothing(tree, users, client_for):
    from apps.responsibility.stats import stats_refresh

    stats_refresh(period=last_month())
    resp = client_for(users.district_b_staff).get(reverse("responsibility:rollup") + f"?org=D000A&month={last_month()}")
    assert "甲街道党工委" not in resp.content.decode()
    assert "找不到该党组织" in resp.content.decode()


# ---------------------------------------------------------------- forms as submitted


def test_task_form_deadline_before_issue_date_shows_chinese_error(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("responsibility:task_create"),
        {"organization": "B000A", "year": TODAY.year, "content": "x", "due_date": "2020-01-01"},
    )
    assert resp.status_code == 200
    assert "不能早于下发日期" in resp.content.decode()
    assert not TaskItem.objects.exists()


def test_issue_form_creates_copies_and_redirects_to_rollup(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("responsibility:issuance_create"),
        {
            "issuer": "D000A",
            "item_type": "task",
            "year": TODAY.year,
            "title": "开展主题党日",
            "due_date": (TODAY + datetime.timedelta(days=9)).isoformat(),
            "kinds": ["branch"],
            "confirm": "1",
        },
    )
    issuance = Issuance.objects.get()
    assert resp.status_code == 302 and resp["Location"] == issuance.get_absolute_url()
    assert TaskItem.objects.filter(issuance=issuance).count() == 2
    # the task list's 下发批次 filter is a drop-down of the batches in scope, not a number box
    client = client_for(users.district_staff)
    html = client.get(reverse("responsibility:item_list")).content.decode()
    assert '<select name="issuance"' in html and "任务清单：开展主题党日" in html
    html = client.get(reverse("responsibility:item_list") + f"?issuance={issuance.pk}").content.decode()
    assert "下发批次：任务清单：开展主题党日" in html and "filter-errors" not in html
    html = client_for(users.district_b_staff).get(reverse("responsibility:item_list") + f"?issuance={issuance.pk}")
    html = html.content.decode()  # a sibling's batch: an error naming the filter, in Chinese
    assert "filter-errors" in html and "下发批次：" in html and "valid choice" not in html


def test_issue_form_with_out_of_scope_root_is_refused(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("responsibility:issuance_create"),
        {
            "issuer": "D000A",
            "item_type": "task",
            "year": TODAY.year,
            "title": "x",
            "due_quarter": "4",
            "roots": "B000C",
        },
    )
    assert resp.status_code == 200 and "B000C" in resp.content.decode()


def test_secretary_files_own_ledger_on_the_pages(tree, users, client_for):
    a, b = make_member(tree.branch_a, "赵一"), make_member(tree.branch_a, "钱二")
    client = client_for(users.secretary_a)
    period = Period.current()
    resp = client.post(reverse("responsibility:ledger_open"), {"branch": "B000A", "month": str(period)})
    ledger = MonthlyLedger.objects.get(organization=tree.branch_a)
    assert resp.status_code == 302 and resp["Location"] == ledger.get_absolute_url()
    form_page = client.get(reverse("responsibility:meeting_create", args=[ledger.pk])).content.decode()
    assert "赵一" in form_page and 'name="viewport"' in form_page
    resp = client.post(
        reverse("responsibility:meeting_create", args=[ledger.pk]),
        {
            "kind": "committee_meeting",
            "held_on": period.first_day.isoformat(),
            "topic": "研究发展党员",
            "attendees": [a.pk],
            f"reason_{b.pk}": "因公外出",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    meeting = ledger.meetings.get()
    assert (meeting.attendee_count, meeting.absentee_count) == (1, 1)
    resp = client.post(reverse("responsibility:ledger_submit", args=[ledger.pk]))
    ledger.refresh_from_db()
    assert resp.status_code == 302 and ledger.status == "submitted"
    detail = client.get(ledger.get_absolute_url()).content.decode()
    assert "已锁定" in detail


def test_meeting_form_date_outside_month_and_missing_reason_show_errors(tree, users, client_for):
    make_member(tree.branch_a, "孙三")
    ledger = make_ledger(tree.branch_a)
    client = client_for(users.secretary_a)
    resp = client.post(
        reverse("responsibility:meeting_create", args=[ledger.pk]),
        {
            "kind": "theme_day",
            "held_on": (ledger.period.last_day + datetime.timedelta(days=1)).isoformat(),
            "topic": "x",
        },
    )
    assert resp.status_code == 200 and "须在台账月份" in resp.content.decode()
    resp = client.post(
        reverse("responsibility:meeting_create", args=[ledger.pk]),
        {"kind": "theme_day", "held_on": ledger.period.first_day.isoformat(), "topic": "x"},
    )
    assert resp.status_code == 200 and "请填写缺席原因：孙三" in resp.content.decode()


def test_meeting_form_without_roster_refuses_more_attendees_than_members(tree, users, client_for):
    ledger = make_ledger(tree.branch_a)
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:meeting_create", args=[ledger.pk]),
        {
            "kind": "theme_day",
            "held_on": ledger.period.first_day.isoformat(),
            "topic": "x",
            "attendee_count": 5,
            "absentee_count": 0,
        },
    )
    assert resp.status_code == 200 and "超过本支部在册党员人数" in resp.content.decode()


def test_edit_after_submission_shows_error(tree, users, client_for):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:ledger_update", args=[ledger.pk]), {"task_progress": "x", "notes": ""}
    )
    # The form page refuses a locked ledger and sends the user back to it with the reason.
    assert resp.status_code == 302 and resp["Location"] == ledger.get_absolute_url()
    assert "已锁定" in client_for(users.secretary_a).get(resp["Location"]).content.decode()
    ledger.refresh_from_db()
    assert ledger.task_progress == ""


def test_secretary_b_cannot_open_sibling_ledger_through_the_form(tree, users, client_for):
    resp = client_for(users.secretary_b).post(
        reverse("responsibility:ledger_open"), {"branch": "B000A", "month": str(last_month())}
    )
    assert resp.status_code == 200 and "找不到该党组织" in resp.content.decode()
    assert not MonthlyLedger.objects.exists()


def test_review_by_upper_and_refused_for_secretary(tree, users, client_for, data):
    ledger = data["ledger"]
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    url = reverse("responsibility:ledger_review", args=[ledger.pk])
    assert client_for(users.secretary_a).post(url, {"decision": "approve"}).status_code == 403
    resp = client_for(users.street_staff).post(url, {"decision": "return", "comment": ""})
    assert resp.status_code == 200 and "退回原因" in resp.content.decode()
    resp = client_for(users.street_staff).post(url, {"decision": "return", "comment": "补充附件"})
    ledger.refresh_from_db()
    assert resp.status_code == 302 and ledger.status == "returned"


def test_signoff_page_refuses_same_level_user(tree, users, client_for, data):
    from tests.factories.accounts import make_user

    rect = data["rect"]
    services.rectification_complete(acting_user=users.secretary_a, rectification=rect)
    same = make_user(tree.branch_a, "org_staff", username="same_level")
    resp = client_for(same).post(
        reverse("responsibility:rectification_signoff", args=[rect.pk]), {"decision": "approve", "comment": "同意"}
    )
    assert resp.status_code == 200 and "上级党组织" in resp.content.decode()
    resp = client_for(users.street_staff).post(
        reverse("responsibility:rectification_signoff", args=[rect.pk]), {"decision": "approve", "comment": "同意"}
    )
    rect.refresh_from_db()
    assert resp.status_code == 302 and rect.status == "signed_off"


def test_notice_is_printable(tree, users, client_for, data):
    body = (
        client_for(users.secretary_a)
        .get(reverse("responsibility:rectification_notice", args=[data["rect"].pk]))
        .content.decode()
    )
    assert "整改通知单" in body and 'data-action="print"' in body and "甲支部" in body


# ---------------------------------------------------------------- attachments


@pytest.mark.parametrize(
    "name,content,error",
    [
        ("virus.exe", b"MZ\x90\x00", "附件类型不允许"),
        ("fake.pdf", b"MZ\x90\x00", "内容与扩展名不符"),
    ],
)
def test_bad_attachments_refused(tree, users, client_for, data, name, content, error):
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:attachment_add", args=[data["meeting"].pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert resp.status_code == 200 and error in resp.content.decode()


def test_oversized_attachment_refused(tree, users, client_for, data):
    from apps.core.models import Parameter
    from apps.core.params import invalidate

    Parameter.objects.create(key="ledger_attachment_max_mb", value="1")
    invalidate()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1))
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:attachment_add", args=[data["meeting"].pk]), {"file": big}
    )
    invalidate()
    assert resp.status_code == 200 and "超过 1 MB" in resp.content.decode()


def test_attachment_download_in_scope(tree, users, client_for, data):
    resp = client_for(users.secretary_a).get(
        reverse("responsibility:attachment_download", args=[data["attachment"].pk])
    )
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")
    assert MeetingAttachment.objects.count() == 1


# ---------------------------------------------------------------- Excel


def test_export_neutralises_formulas(tree, users, client_for):
    from openpyxl import load_workbook

    make_task(tree.branch_a, content='=HYPERLINK("http://evil","x")')
    make_task(tree.branch_a, content="＝1+1")
    resp = client_for(users.district_staff).get(reverse("responsibility:item_list") + "?export=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    contents = [r[3] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil","x")' in contents and "'＝1+1" in contents


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("list.xlsx", buf.getvalue())


def test_import_preview_shows_row_and_column_errors_and_imports_nothing(tree, users, client_for):
    f = _xlsx(
        [
            ["组织代码*", "年度*", "任务内容*", "目标要求", "完成时限*"],
            ["B000A", 2026, "开展主题党日", "", "2099-12-31"],
            ["B000C", 2026, "越权", "", "2099-12-31"],
            ["B000A", "明年", "", "", "2099-13-01"],
        ]
    )
    resp = client_for(users.district_staff).post(reverse("responsibility:item_import", args=["task"]), {"file": f})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "找不到组织代码“B000C”" in body
    assert "应为四位年份" in body and "必填" in body and "不是有效的日期" in body
    errors = resp.context["result"].errors
    assert {(e.row, e.column) for e in errors} >= {(3, "组织代码"), (4, "年度"), (4, "任务内容"), (4, "完成时限")}
    assert not TaskItem.objects.exists()


def test_import_preview_then_confirm_is_atomic(tree, users, client_for):
    client = client_for(users.district_staff)
    f = _xlsx(
        [
            ["组织代码", "年度", "任务内容", "目标要求", "完成时限"],
            ["B000A", 2099, "开展主题党日", "全覆盖", "第二季度"],
            ["B000B", 2099, "开展党员冬训", "", "2099-12-31"],
        ]
    )
    resp = client.post(reverse("responsibility:item_import", args=["task"]), {"file": f})
    assert "检查通过，共 2 条" in resp.content.decode()
    assert not TaskItem.objects.exists()
    resp = client.post(reverse("responsibility:item_import", args=["task"]), {"confirm": "1"})
    assert resp.status_code == 302
    assert TaskItem.objects.filter(due_date=datetime.date(2099, 6, 30), organization=tree.branch_a).exists()
    assert TaskItem.objects.count() == 2


def test_import_problems_creates_rectifications(tree, users, client_for):
    from apps.responsibility import imports

    rows = [
        ["组织代码", "年度", "问题来源", "问题类别", "问题描述", "严重程度", "发现日期", "整改时限类别", "整改期限"],
        ["B000A", 2026, "督查", "组织生活", "未按期召开支委会", "一般", TODAY.isoformat(), "限期整改", "2099-01-01"],
        ["B000B", 2026, "巡视", "党费", "x", "", "", "", ""],
    ]
    result = imports.items_import(acting_user=users.district_staff, item_type="problem", rows=rows, commit=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, "问题来源")]
    assert not result.committed
    result = imports.items_import(acting_user=users.district_staff, item_type="problem", rows=rows[:2], commit=True)
    assert result.committed and result.created == 1


def test_meeting_update_page_changes_attendance(tree, users, client_for):
    a, b = make_member(tree.branch_a, "周六"), make_member(tree.branch_a, "吴七")
    ledger = make_ledger(tree.branch_a)
    meeting = make_meeting(ledger, attendees=[a, b])
    client = client_for(users.secretary_a)
    page = client.get(reverse("responsibility:meeting_update", args=[meeting.pk])).content.decode()
    assert "周六" in page and "checked" in page
    resp = client.post(
        reverse("responsibility:meeting_update", args=[meeting.pk]),
        {
            "kind": meeting.kind,
            "held_on": meeting.held_on.isoformat(),
            "topic": "改",
            "attendees": [a.pk],
            f"reason_{b.pk}": "因病请假",
        },
    )
    assert resp.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.attendee_count, meeting.absentee_count) == ("改", 1, 1)


def test_attachment_upload_page_stores_file(tree, users, client_for, data):
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:attachment_add", args=[data["meeting"].pk]),
        {"file": SimpleUploadedFile("签到表.png", b"\x89PNG\r\n\x1a\n0000")},
    )
    assert resp.status_code == 302
    assert data["meeting"].attachments.filter(name="签到表.png").exists()


def test_duty_edit_page(tree, users, client_for, data):
    resp = client_for(users.district_staff).post(
        reverse("responsibility:duty_update", args=[data["duty"].pk]),
        {"person_name": "李红梅", "post": "deputy", "duties": "协助书记抓党建"},
    )
    data["duty"].refresh_from_db()
    assert resp.status_code == 302 and data["duty"].person_name == "李红梅"
    resp = client_for(users.district_staff).post(
        reverse("responsibility:duty_update", args=[data["duty"].pk]), {"person_name": "", "post": "x", "duties": ""}
    )
    assert resp.status_code == 200 and "该字段是必填项" in resp.content.decode()


def test_rollup_page_bad_month_shows_error_and_csv_export(tree, users, client_for):
    from openpyxl import load_workbook

    from apps.responsibility.stats import stats_refresh

    stats_refresh(period=last_month())
    client = client_for(users.district_staff)
    resp = client.get(reverse("responsibility:rollup") + "?org=D000A&month=2026-13")
    assert "请选择有效的月份" in resp.content.decode()
    resp = client.get(reverse("responsibility:rollup") + f"?org=D000A&month={last_month()}&export=xlsx")
    names = [r[0] for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["甲区委（合计）", "甲街道党工委"]


def test_rollup_and_issuance_exports_run_as_jobs_when_large(
    tree, users, data, client_for, django_capture_on_commit_callbacks
):
    from apps.responsibility.stats import stats_refresh
    from tests.helpers import export_sync_and_as_job

    stats_refresh(period=last_month())
    client = client_for(users.district_staff)
    url = reverse("responsibility:rollup") + f"?org=D000A&month={last_month()}&export=xlsx"
    sync, job_rows, _ = export_sync_and_as_job(client, url, django_capture_on_commit_callbacks)
    assert job_rows == sync and [r[0] for r in job_rows[1:]] == ["甲区委（合计）", "甲街道党工委"]
    url = reverse("responsibility:issuance_detail", args=[data["issuance"].pk]) + "?export=xlsx"
    sync, job_rows, _ = export_sync_and_as_job(client, url, django_capture_on_commit_callbacks)
    assert job_rows == sync and job_rows[0][0] == "组织"
