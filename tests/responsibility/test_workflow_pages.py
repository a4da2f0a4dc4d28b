"""Page behaviours of the workflows: issuing, meeting quorum and attendance, ledger submit/review/lock, roll-up
figures, rectification notice, list titles and the home panels (each test fails without its behaviour)."""

import datetime
import re

import pytest
from django.urls import reverse

from apps.core.periods import Period
from apps.responsibility import selectors, services
from apps.responsibility.models import MonthlyLedger, TaskItem
from apps.responsibility.stats import stats_refresh
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

TODAY = datetime.date.today()


# ---------------------------------------------------------------- 1. issuance form checkboxes


def test_issuance_form_renders_kinds_and_sectors_as_inline_checkboxes(tree, users, client_for):
    body = client_for(users.district_staff).get(reverse("responsibility:issuance_create")).content.decode()
    assert body.count('class="form-check form-check-inline"') >= 4
    # No more the single-checkbox layout (a narrow padded column) for the multi-choice fields.
    assert "form-check ps-5 pt-4" not in body
    assert re.search(r"<legend[^>]*>下发对象类别</legend>", body) and re.search(
        r"<legend[^>]*>下发对象领域</legend>", body
    )


# ---------------------------------------------------------------- 2. meeting quorum


def _branch_of(tree, n_full, *, probationary=0):
    full = [make_member(tree.branch_a, f"正式{i}", category="full") for i in range(n_full)]
    prob = [make_member(tree.branch_a, f"预备{i}", category="probationary") for i in range(probationary)]
    return full, prob


def _general_meeting(ledger, present, absent):
    return make_meeting(
        ledger,
        "general_meeting",
        attendees=[m.pk for m in present],
        absentees={m.pk: "因公外出" for m in absent},
    )


def _gap_kinds(tree, period):
    return {
        g.kind for g in selectors.ledger_missing_meetings(branch=tree.branch_a, period=period, include_pending=True)
    }


def test_inquorate_general_meeting_is_kept_but_flagged_and_does_not_count(tree, users, client_for):
    full, _p = _branch_of(tree, 34)
    ledger = make_ledger(tree.branch_a)
    meeting = _general_meeting(ledger, full[:3], full[3:])
    meeting.refresh_from_db()
    assert meeting.quorum_met is False
    assert "支部党员大会须有半数以上有表决权的正式党员到会" in meeting.quorum_note and "34" in meeting.quorum_note
    assert "general_meeting" in _gap_kinds(tree, ledger.period)
    body = client_for(users.secretary_a).get(ledger.get_absolute_url()).content.decode()
    assert "quorum-warning" in body and "不计入组织生活达标" in body


def test_quorum_counts_only_voting_full_members(tree):
    # 4 full + 10 probationary: 2 full members present is not more than half of 4, whatever the probationers do.
    full, prob = _branch_of(tree, 4, probationary=10)
    ledger = make_ledger(tree.branch_a)
    meeting = _general_meeting(ledger, full[:2] + prob, full[2:])
    meeting.refresh_from_db()
    assert meeting.quorum_met is False
    meeting = services.meeting_update(
        acting_user=system_user(),
        meeting=meeting,
        kind="general_meeting",
        held_on=meeting.held_on,
        topic=meeting.topic,
        attendees=[m.pk for m in full[:3]],
        absentees={full[3].pk: "因病请假"},
    )
    meeting.refresh_from_db()
    assert meeting.quorum_met is True and meeting.quorum_note == ""
    assert "general_meeting" not in _gap_kinds(tree, ledger.period)


def test_committee_meeting_quorum_is_over_half_of_the_committee(tree, users, client_for):
    posts = ["secretary", "deputy_secretary", "organization", "publicity", "discipline"]
    committee = [make_member(tree.branch_a, f"委员{i}", party_post=p) for i, p in enumerate(posts)]
    others = [make_member(tree.branch_a, f"党员{i}") for i in range(6)]
    ledger = make_ledger(tree.branch_a)
    client = client_for(users.secretary_a)
    form = client.get(reverse("responsibility:meeting_create", args=[ledger.pk]) + "?kind=committee_meeting")
    body = form.content.decode()
    # The committee is marked for the attendee list (the page lists it alone for a committee meeting).
    assert body.count('data-committee="1"') == 5 and "responsibility.js" in body
    # 2 of 5 committee members tick present; the 6 other members are not expected at a committee meeting.
    data = {
        "kind": "committee_meeting",
        "held_on": ledger.period.first_day.replace(day=5).isoformat(),
        "topic": "研究发展党员",
        "attendees": [committee[0].pk, committee[1].pk, *[m.pk for m in others]],
        **{f"reason_{m.pk}": "因公外出" for m in committee[2:]},
    }
    resp = client.post(reverse("responsibility:meeting_create", args=[ledger.pk]), data, follow=True)
    meeting = ledger.meetings.get()
    assert (meeting.attendee_count, meeting.absentee_count, meeting.quorum_met) == (2, 3, False)
    assert "支部委员会会议须有半数以上委员到会" in resp.content.decode()
    assert "committee_meeting" in _gap_kinds(tree, ledger.period)


# ---------------------------------------------------------------- 3. review needs an explicit choice


@pytest.fixture
def submitted(tree, users):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    return services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)


def test_review_without_a_choice_approves_nothing(tree, users, client_for, submitted):
    client = client_for(users.street_staff)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert 'name="decision" value="approve"' in page and 'name="decision" value="return"' in page
    assert "<select" not in page.split('id="review-form"')[1].split("</form>")[0]
    resp = client.post(reverse("responsibility:ledger_review", args=[submitted.pk]), {"comment": ""})
    assert resp.status_code == 200 and "请选择“通过”或“退回”" in resp.content.decode()
    resp = client.post(reverse("responsibility:ledger_review", args=[submitted.pk]), {"decision": "return"})
    assert resp.status_code == 200 and "退回时请填写退回原因" in resp.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    client.post(reverse("responsibility:ledger_review", args=[submitted.pk]), {"decision": "approve"})
    submitted.refresh_from_db()
    assert submitted.status == "approved"


# ---------------------------------------------------------------- 4. locked ledgers


def test_locked_ledger_hides_and_refuses_the_edit_pages(tree, users, client_for, submitted):
    client = client_for(users.secretary_a)
    meeting = submitted.meetings.get()
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert reverse("responsibility:meeting_create", args=[submitted.pk]) not in page
    assert reverse("responsibility:meeting_update", args=[meeting.pk]) not in page
    for url in (
        reverse("responsibility:meeting_create", args=[submitted.pk]),
        reverse("responsibility:meeting_update", args=[meeting.pk]),
        reverse("responsibility:meeting_delete", args=[meeting.pk]),
        reverse("responsibility:attachment_add", args=[meeting.pk]),
        reverse("responsibility:ledger_update", args=[submitted.pk]),
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"] == submitted.get_absolute_url(), url
    resp = client.post(
        reverse("responsibility:meeting_update", args=[meeting.pk]), {"kind": "theme_day", "topic": "x"}, follow=True
    )
    assert "已锁定" in resp.content.decode()
    meeting.refresh_from_db()
    assert meeting.kind == "committee_meeting"


def test_submit_asks_for_confirmation_and_approved_ledger_shows_one_state(tree, users, client_for, submitted):
    draft = make_ledger(tree.branch_a, last_month().previous())
    page = client_for(users.secretary_a).get(draft.get_absolute_url()).content.decode()
    assert "data-confirm=" in page and "responsibility.js" in page
    services.ledger_approve(acting_user=users.street_staff, ledger=submitted)
    page = client_for(users.secretary_a).get(submitted.get_absolute_url()).content.decode()
    assert "已提交，台账已锁定" not in page and "等待上级审核" not in page
    assert page.count("已审核通过") >= 1


# ---------------------------------------------------------------- 5. 填报本月台账


def test_secretary_goes_straight_to_this_months_ledger(tree, users, client_for):
    client = client_for(users.secretary_a)
    page = client.get(reverse("responsibility:ledger_open"))
    body = page.content.decode()
    assert page.status_code == 200 and 'value="B000A"' in body and f'value="{Period.current()}"' in body
    resp = client.post(reverse("responsibility:ledger_open"), {"branch": "B000A", "month": str(Period.current())})
    ledger = MonthlyLedger.objects.get(organization=tree.branch_a, month=Period.current().first_day)
    assert resp["Location"] == ledger.get_absolute_url()
    resp = client.get(reverse("responsibility:ledger_open"))
    assert resp.status_code == 302 and resp["Location"] == ledger.get_absolute_url()
    resp = client.post(
        reverse("responsibility:ledger_open"), {"branch": "B000A", "month": str(Period.current())}, follow=True
    )
    assert "已保存" not in resp.content.decode()


# ---------------------------------------------------------------- 6. roll-up agrees with the lists


def test_rollup_overdue_agrees_with_the_list_and_ledger_rate_waits_for_due_date(tree, users, client_for):
    for days in (3, 40, 90):  # overdue tasks due in several different months
        make_task(
            tree.branch_a,
            due_date=TODAY - datetime.timedelta(days=days),
            issued_on=TODAY - datetime.timedelta(days=120),
        )
    make_task(tree.branch_b, due_date=TODAY - datetime.timedelta(days=5))
    make_task(tree.branch_a)  # not due
    make_ledger(tree.branch_a, Period.current())
    stats_refresh(period=Period.current())
    client = client_for(users.district_staff)
    listed = client.get(reverse("responsibility:item_list") + "?overdue=true&within=D000A").context["paginator"].count
    assert listed == TaskItem.objects.in_subtree(tree.district_a).overdue(TODAY).count() == 4
    body = client.get(reverse("responsibility:rollup") + f"?org=D000A&month={Period.current()}").content.decode()
    total_row = body.split('id="rollup-total"')[1].split("</tr>")[0]
    assert re.search(r'overdue-tasks"><a [^>]*>4</a>', total_row)
    assert "未到期" in total_row
    # The default month is named on the page.
    stats_refresh(period=last_month())
    body = client.get(reverse("responsibility:rollup")).content.decode()
    assert f"默认显示上月（{last_month().label}）" in body


# ---------------------------------------------------------------- 7. measures numbered once


def test_rectification_measures_numbered_once(tree, users, client_for):
    rect = make_problem(tree.branch_a, measures="1. 对照问题逐条整改\n2、建立台账\n（三）1.5小时学习").rectification
    assert rect.measure_lines == ["对照问题逐条整改", "建立台账", "1.5小时学习"]
    client = client_for(users.secretary_a)
    for name in ("rectification_detail", "rectification_notice"):
        body = client.get(reverse(f"responsibility:{name}", args=[rect.pk])).content.decode()
        assert "1. 对照问题逐条整改" in body and "1. 1." not in body and "2. 2" not in body


# ---------------------------------------------------------------- 8. page names


@pytest.mark.parametrize(
    "name,title", [("item_list", "任务清单"), ("problem_list", "问题清单"), ("duty_list", "责任清单")]
)
def test_list_pages_are_named_as_in_the_glossary(users, client_for, name, title):
    body = client_for(users.district_staff).get(reverse(f"responsibility:{name}")).content.decode()
    assert re.search(r"<h1[^>]*>" + title + "</h1>", body)


# ---------------------------------------------------------------- 9. reason box only for the absent


def test_meeting_form_shows_reason_box_only_for_absent_members(tree, users, client_for):
    members = [make_member(tree.branch_a, f"成员{i}") for i in range(3)]
    ledger = make_ledger(tree.branch_a)
    meeting = make_meeting(
        ledger, "theme_day", attendees=[members[0].pk, members[1].pk], absentees={members[2].pk: "因病请假"}
    )
    body = client_for(users.secretary_a).get(reverse("responsibility:meeting_update", args=[meeting.pk])).content
    body = body.decode()
    assert body.count('<div class="reason-box mt-1" hidden>') == 2
    assert body.count('<div class="reason-box mt-1">') == 1 and 'value="因病请假"' in body


# ---------------------------------------------------------------- 10. home panel


def test_home_panel_for_a_secretary(tree, users):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    services.ledger_return(acting_user=users.street_staff, ledger=ledger, comment="会议记录不全")
    make_task(tree.branch_a, due_date=TODAY - datetime.timedelta(days=2))
    make_task(tree.branch_b, due_date=TODAY - datetime.timedelta(days=2))
    user = users.secretary_a
    user.has_perm("responsibility.view_monthlyledger")  # the request loads them for the nav
    _org = user.organization
    n, panel = count_queries(lambda: selectors.home_panel(user=user))
    assert n <= 4 and panel["kind"] == "branch"
    cur, prev = panel["ledgers"]
    assert cur["ledger"] is None and cur["period"] == Period.current()
    assert prev["ledger"].status == "returned" and prev["ledger"].review_comment == "会议记录不全"
    assert len(panel["overdue_tasks"]) == 1
    from django.template.loader import render_to_string

    html = render_to_string("responsibility/_home_panel.html", {"panel": panel})
    assert "会议记录不全" in html and ledger.get_absolute_url() in html and "已退回" in html


def test_home_panel_for_upper_staff(tree, users):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    make_problem(tree.branch_a)
    user = users.district_staff
    user.has_perm("responsibility.view_monthlyledger")
    _org = user.organization
    n, panel = count_queries(lambda: selectors.home_panel(user=user))
    assert n <= 4 and panel["kind"] == "above" and panel["awaiting_review"] == 1
    assert selectors.home_panel(user=users.district_b_staff)["awaiting_review"] == 0
    from django.template.loader import render_to_string

    html = render_to_string("responsibility/_home_panel.html", {"panel": panel})
    assert "?status=submitted" in html and "待审核的月度台账" in html


def test_rollup_page_query_count_still_bounded(tree, users, client_for):
    stats_refresh(period=last_month())
    client = client_for(users.city_staff)
    url = reverse("responsibility:rollup") + f"?month={last_month()}"
    n, _resp = count_queries(lambda: client.get(url), warm=True)
    assert n <= 14
