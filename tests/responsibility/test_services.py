import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.due_items import collect_due_items, sources
from apps.core.periods import Period
from apps.responsibility import selectors, services
from apps.responsibility.models import (
    DutyItem,
    MeetingRequirement,
    MonthlyLedger,
    OrgMonthStats,
    Rectification,
    TaskItem,
)
from apps.responsibility.stats import stats_refresh
from tests.factories.responsibility import (
    last_month,
    make_ledger,
    make_meeting,
    make_member,
    make_problem,
    make_task,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _msg(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# ---------------------------------------------------------------- tasks and issuing


def test_task_deadline_before_issue_date_is_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            year=TODAY.year,
            content="开展主题教育",
            due_date=TODAY - datetime.timedelta(days=1),
        )
    assert "不能早于下发日期" in _msg(exc, "due_date")


def test_task_by_quarter_gets_the_quarter_end_as_due_date(tree, users):
    task = services.task_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        year=TODAY.year + 1,
        content="完成换届",
        due_quarter=2,
    )
    assert task.due_date == datetime.date(TODAY.year + 1, 6, 30)


def test_task_done_needs_evidence(tree, users):
    task = make_task(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.task_progress_update(acting_user=users.secretary_a, task=task, status="done")
    assert "佐证" in _msg(exc, "evidence")
    task = services.task_progress_update(acting_user=users.secretary_a, task=task, status="done", evidence="会议记录")
    assert task.completed_on == TODAY and task.done_on_time


def test_issue_task_gives_each_branch_below_its_own_copy(tree, users):
    issuance = services.items_issue(
        acting_user=users.district_staff,
        issuer=tree.district_a,
        item_type="task",
        year=TODAY.year,
        title="开展党员冬训",
        payload={"target": "全员参训"},
        due_date=TODAY + datetime.timedelta(days=30),
        kinds=["branch"],
    )
    copies = TaskItem.objects.filter(issuance=issuance)
    assert set(copies.values_list("organization__name", flat=True)) == {"甲支部", "乙支部"}
    assert issuance.assignee_count == 2
    assert all(c.org_path == c.organization.path for c in copies.select_related("organization"))


def test_issue_by_sector_and_subtree(tree, users):
    issuance = services.items_issue(
        acting_user=users.city_staff,
        issuer=tree.city,
        item_type="duty",
        year=TODAY.year,
        title="落实全面从严治党主体责任",
        payload={"post": "secretary"},
        roots=[tree.district_b],
        sectors=["community"],
    )
    assert list(DutyItem.objects.filter(issuance=issuance).values_list("organization__name", flat=True)) == ["丙支部"]


def test_issue_deadline_before_issue_date_is_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.items_issue(
            acting_user=users.district_staff,
            issuer=tree.district_a,
            item_type="task",
            year=TODAY.year,
            title="x",
            payload={},
            due_date=TODAY - datetime.timedelta(days=3),
        )
    assert "不能早于下发日期" in _msg(exc, "due_date")


def test_issue_out_of_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        services.items_issue(
            acting_user=users.district_b_staff,
            issuer=tree.district_a,
            item_type="task",
            year=TODAY.year,
            title="x",
            payload={},
            due_date=TODAY + datetime.timedelta(days=3),
        )


def test_issue_problem_opens_a_rectification_per_copy_and_rollup_counts_by_child(tree, users):
    issuance = services.items_issue(
        acting_user=users.city_staff,
        issuer=tree.city,
        item_type="problem",
        year=TODAY.year,
        title="党费收缴不规范",
        payload={"source": "inspection", "category": "党费"},
        due_date=TODAY + datetime.timedelta(days=10),
        kinds=["branch"],
    )
    rects = Rectification.objects.filter(problem__issuance=issuance)
    assert rects.count() == 3
    rollup = selectors.issuance_rollup(issuance=issuance, today=TODAY + datetime.timedelta(days=11))
    by_name = {r["org"].name: r for r in rollup["rows"]}
    assert by_name["甲区委"]["total"] == 2 and by_name["乙区委"]["total"] == 1
    assert rollup["totals"]["overdue"] == 3


def test_task_rollup_done_in_progress_overdue(tree, users):
    issuance = services.items_issue(
        acting_user=users.district_staff,
        issuer=tree.district_a,
        item_type="task",
        year=TODAY.year,
        title="t",
        payload={},
        due_date=TODAY,
        kinds=["branch"],
    )
    a = TaskItem.objects.get(issuance=issuance, organization=tree.branch_a)
    services.task_progress_update(acting_user=users.secretary_a, task=a, status="done", evidence="ok")
    rollup = selectors.issuance_rollup(issuance=issuance, today=TODAY + datetime.timedelta(days=1))
    assert rollup["totals"] == {"total": 2, "done": 1, "done_on_time": 1, "in_progress": 0, "overdue": 1}


# ---------------------------------------------------------------- rectifications


def _awaiting(tree, users):
    rect = make_problem(tree.branch_a).rectification
    services.rectification_progress_add(
        acting_user=users.secretary_a, rectification=rect, month=Period.current(), content="已补齐"
    )
    return services.rectification_complete(acting_user=users.secretary_a, rectification=rect)


def test_rectification_flow_to_signoff_by_the_organization_above(tree, users):
    rect = _awaiting(tree, users)
    assert rect.status == "awaiting_signoff"
    rect = services.rectification_signoff(
        acting_user=users.street_staff, rectification=rect, approve=True, comment="同意"
    )
    assert rect.status == "signed_off" and rect.signed_off_by == users.street_staff


def test_signoff_by_someone_not_above_is_refused(tree, users):
    rect = _awaiting(tree, users)
    from tests.factories.accounts import make_user

    same_branch_staff = make_user(tree.branch_a, "org_staff", username="branch_a_staff")
    with pytest.raises(ValidationError) as exc:
        services.rectification_signoff(acting_user=same_branch_staff, rectification=rect, approve=True, comment="同意")
    assert "上级党组织" in _msg(exc, "comment")


def test_signoff_by_sibling_is_refused_as_not_found(tree, users):
    rect = _awaiting(tree, users)
    with pytest.raises(PermissionDenied):
        services.rectification_signoff(
            acting_user=users.district_b_staff, rectification=rect, approve=True, comment="x"
        )


def test_secretary_cannot_sign_off_own_rectification(tree, users):
    rect = _awaiting(tree, users)
    with pytest.raises(PermissionDenied):
        services.rectification_signoff(acting_user=users.secretary_a, rectification=rect, approve=True, comment="x")


def test_recheck_reopens_and_history_records_it(tree, users):
    from apps.core.models import AuditLog

    rect = _awaiting(tree, users)
    rect = services.rectification_signoff(
        acting_user=users.district_staff, rectification=rect, approve=True, comment="同意"
    )
    rect = services.rectification_recheck(
        acting_user=users.district_staff, rectification=rect, note="问题反弹", reopen=True
    )
    assert rect.status == "in_progress" and rect.reopen_count == 1 and rect.signed_off_at is None
    events = list(AuditLog.objects.for_object(rect).values_list("event", flat=True))
    assert {"rectification.signoff", "rectification.reopen", "rectification.complete"} <= set(events)


def test_rectification_deadline_before_found_date_is_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        make_problem(tree.branch_a, found_on=TODAY, deadline=TODAY - datetime.timedelta(days=1))
    assert "不能早于" in _msg(exc, "deadline")


# ---------------------------------------------------------------- monthly ledger


def test_ledger_due_date_is_the_5th_of_next_month_and_configurable(tree):
    from apps.core.models import Parameter
    from apps.core.params import invalidate

    assert services.ledger_due_date(Period(2026, 12)) == datetime.date(2027, 1, 5)
    Parameter.objects.create(key="ledger_due_day", value="10")
    invalidate()
    assert services.ledger_due_date(Period(2026, 1)) == datetime.date(2026, 2, 10)
    invalidate()


def test_meeting_date_outside_ledger_month_is_refused(tree, users):
    ledger = make_ledger(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            acting_user=users.secretary_a,
            ledger=ledger,
            kind="committee_meeting",
            held_on=ledger.period.last_day + datetime.timedelta(days=1),
            topic="x",
        )
    assert "须在台账月份" in _msg(exc, "held_on")


def test_attendees_not_in_branch_are_refused(tree, users):
    ledger = make_ledger(tree.branch_a)
    own = make_member(tree.branch_a, "张三")
    stranger = make_member(tree.branch_b, "李四")
    with pytest.raises(ValidationError) as exc:
        make_meeting(ledger, attendees=[own, stranger])
    assert "李四" in _msg(exc, "attendees") and "不是本支部在册党员" in _msg(exc, "attendees")


def test_inactive_members_cannot_attend(tree, users):
    ledger = make_ledger(tree.branch_a)
    gone = make_member(tree.branch_a, "王五", status="deceased")
    with pytest.raises(ValidationError):
        make_meeting(ledger, attendees=[gone])


def test_more_attendees_than_members_is_refused(tree, users):
    ledger = make_ledger(tree.branch_a)
    make_member(tree.branch_a)
    make_member(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        make_meeting(ledger, attendee_count=3)
    assert "超过本支部在册党员人数（2）" in _msg(exc, "attendee_count")


def test_absentees_need_a_reason_and_counts_follow_the_roster(tree, users):
    ledger = make_ledger(tree.branch_a)
    a, b, c = (make_member(tree.branch_a, n) for n in ("甲", "乙", "丙"))
    with pytest.raises(ValidationError) as exc:
        make_meeting(ledger, attendees=[a, b], absentees={c: ""})
    assert "丙" in _msg(exc, "absentees")
    m = make_meeting(ledger, attendees=[a, b], absentees={c: "因病请假"})
    assert (m.attendee_count, m.absentee_count) == (2, 1)
    assert m.attendance.get(present=False).absence_reason == "因病请假"


def test_submit_locks_then_return_reopens_then_approve(tree, users):
    ledger = make_ledger(tree.branch_a, Period.current())  # on time: due next month
    make_meeting(ledger, day=1)
    ledger = services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    assert ledger.status == "submitted" and ledger.submitted_on_time is True
    with pytest.raises(ValidationError) as exc:
        make_meeting(ledger, day=1)
    assert "已提交（已锁定）" in _msg(exc, "__all__")
    with pytest.raises(ValidationError):
        services.ledger_update(
            acting_user=users.secretary_a, ledger=ledger, task_progress="x", rectification_progress="", notes=""
        )
    with pytest.raises(ValidationError) as exc:
        services.ledger_return(acting_user=users.street_staff, ledger=ledger, comment="")
    assert "退回原因" in _msg(exc, "comment")
    ledger = services.ledger_return(acting_user=users.street_staff, ledger=ledger, comment="补充党小组会")
    make_meeting(ledger, kind="theme_day", day=1)
    ledger = services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    ledger = services.ledger_approve(acting_user=users.street_staff, ledger=ledger)
    assert ledger.status == "approved"


def test_secretary_cannot_approve_own_ledger(tree, users):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    with pytest.raises(PermissionDenied):
        services.ledger_approve(acting_user=users.secretary_a, ledger=ledger)


def test_secretary_refused_on_sibling_branch_ledger(tree, users):
    with pytest.raises(PermissionDenied):
        services.ledger_open(acting_user=users.secretary_b, branch=tree.branch_a, period=last_month())
    ledger = make_ledger(tree.branch_a)
    with pytest.raises(PermissionDenied):
        make_meeting_as(users.secretary_b, ledger)


def make_meeting_as(user, ledger):
    return services.meeting_create(
        acting_user=user, ledger=ledger, kind="committee_meeting", held_on=ledger.period.first_day, topic="x"
    )


def test_future_month_and_non_branch_refused(tree, users):
    with pytest.raises(ValidationError):
        services.ledger_open(acting_user=users.district_staff, branch=tree.branch_a, period=Period.current().next())
    with pytest.raises(ValidationError) as exc:
        services.ledger_open(acting_user=users.district_staff, branch=tree.street_a, period=last_month())
    assert "不是党支部" in _msg(exc, "organization")


def test_late_submission_is_not_on_time(tree, users):
    old = Period.current().shift(-3)
    ledger = make_ledger(tree.branch_a, old)
    make_meeting(ledger)
    ledger = services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    assert ledger.submitted_on_time is False


# ---------------------------------------------------------------- compliance, due items, stats


def test_missing_meetings_follow_the_requirement_table(tree, users):
    period = Period(2026, 3)  # a quarter-end month: quarterly items are due
    ledger = MonthlyLedger.objects.create(
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=period.first_day,
        due_date=datetime.date(2026, 4, 5),
    )
    from apps.responsibility.models import Meeting

    Meeting.objects.create(
        ledger=ledger,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        kind="committee_meeting",
        held_on=datetime.date(2026, 3, 3),
        topic="x",
    )
    Meeting.objects.create(
        ledger=ledger,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        kind="general_meeting",
        held_on=datetime.date(2026, 1, 20),
        topic="x",
    )
    gaps = selectors.ledger_missing_meetings(branch=tree.branch_a, period=period)
    kinds = {(g.kind, g.party_group_id) for g in gaps}
    # committee met; general meeting met in the quarter; group meeting is per party group (group_a)
    assert kinds == {("group_meeting", tree.group_a.pk), ("theme_day", None), ("party_lecture", None)}
    MeetingRequirement.objects.filter(kind="party_lecture").update(is_active=False)
    gaps = selectors.ledger_missing_meetings(branch=tree.branch_a, period=period)
    assert "party_lecture" not in {g.kind for g in gaps}


def test_quarterly_requirement_not_due_mid_quarter(tree):
    gaps = selectors.ledger_missing_meetings(branch=tree.branch_a, period=Period(2026, 2))
    assert "general_meeting" not in {g.kind for g in gaps}
    pending = selectors.ledger_missing_meetings(branch=tree.branch_a, period=Period(2026, 2), include_pending=True)
    assert any(g.kind == "general_meeting" and not g.due for g in pending)


def test_overdue_items_scoped(tree, users):
    t = make_task(tree.branch_a, due_date=TODAY)
    make_task(tree.branch_b, due_date=TODAY)
    later = TODAY + datetime.timedelta(days=1)
    assert list(selectors.overdue_items(user=users.secretary_a, date=later)["tasks"]) == [t]
    assert selectors.overdue_items(root=tree.street_a, date=later)["tasks"].count() == 2


def test_due_item_sources_for_letters(tree, users):
    period = Period.current()
    make_task(tree.branch_a, due_date=period.last_day)
    ledger = make_ledger(tree.branch_b, period.previous())
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_b, ledger=ledger)
    # Set-based sources: a couple of queries each, whatever the data (every app's sources are registered).
    n, reminder = count_queries(lambda: collect_due_items(period=period, stage="reminder", root_path=tree.city.path))
    assert n <= 2 * len(sources())
    kinds = {(i.kind, i.organization_id) for i in reminder}
    assert ("task_due", tree.branch_a.pk) in kinds
    assert ("ledger_due", tree.branch_a.pk) in kinds and ("ledger_due", tree.branch_b.pk) not in kinds
    warning = collect_due_items(period=period.next(), stage="warning", root_path=tree.street_a.path)
    assert any(i.kind == "task_overdue" for i in warning)
    assert any(i.kind == "meeting_missing" for i in warning)
    assert all(i.organization_id in (tree.branch_a.pk, tree.branch_b.pk) for i in warning)


def test_stats_refresh_rolls_up_the_subtree(tree, users):
    period = last_month()
    done = make_task(tree.branch_a, due_date=period.last_day, issued_on=period.first_day - datetime.timedelta(days=5))
    TaskItem.objects.filter(pk=done.pk).update(status="done", completed_on=period.first_day, evidence="x")
    make_task(tree.branch_b, due_date=period.last_day, issued_on=period.first_day - datetime.timedelta(days=5))
    ledger = make_ledger(tree.branch_a, period)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    MonthlyLedger.objects.filter(pk=ledger.pk).update(submitted_on_time=True)  # independent of today's date
    stats_refresh(period=period)
    street = OrgMonthStats.objects.get(organization=tree.street_a, month=period.first_day)
    assert (street.tasks_due, street.tasks_done_on_time, street.tasks_overdue) == (2, 1, 1)
    assert (street.ledgers_required, street.ledgers_on_time) == (2, 1)
    city = OrgMonthStats.objects.get(organization=tree.city, month=period.first_day)
    assert city.ledgers_required == 3 and city.task_on_time_rate == 50.0
    assert 0 < city.meeting_checks_met < city.meeting_checks
    rollup = selectors.stats_rollup(user=users.city_staff, root=tree.city, period=period)
    assert {s.organization.name for s in rollup["children"]} == {"甲区委", "乙区委"}
    assert selectors.stats_rollup(user=users.secretary_b, root=tree.city, period=period)["total"] is None


def test_stats_task_and_command_refresh_and_rollup_cache_follows(tree, users):
    from django.core.management import call_command

    from apps.responsibility.tasks import stats_refresh_task

    period = last_month()
    assert stats_refresh_task(str(period)) > 0
    before = selectors.stats_rollup(user=users.city_staff, root=tree.city, period=period)
    assert before["total"].ledgers_submitted == 0
    ledger = make_ledger(tree.branch_a, period)
    make_meeting(ledger)
    services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    call_command("refresh_responsibility_stats", str(period), stdout=__import__("io").StringIO())
    after = selectors.stats_rollup(user=users.city_staff, root=tree.city, period=period)
    assert after["total"].ledgers_submitted == 1
    assert {c.organization.name: c.ledgers_submitted for c in after["children"]}["甲区委"] == 1


def test_nightly_refresh_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="apps.responsibility.tasks.stats_refresh_task").exists()


def test_assignee_cannot_change_what_was_assigned(tree, users):
    task = make_task(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.task_update(acting_user=users.secretary_a, task=task, due_date=TODAY + datetime.timedelta(days=365))
    assert "上级党组织" in _msg(exc, "content")
    task = services.task_update(acting_user=users.street_staff, task=task, due_date=TODAY + datetime.timedelta(days=90))
    assert task.due_date == TODAY + datetime.timedelta(days=90)
    rect = make_problem(tree.branch_a).rectification
    with pytest.raises(ValidationError) as exc:
        services.rectification_update(
            acting_user=users.secretary_a,
            rectification=rect,
            measures="x",
            responsible_person="张",
            responsible_unit="甲支部",
            deadline_class="long_term",
            deadline=None,
        )
    assert "整改时限由上级党组织确定" in _msg(exc, "deadline")
    rect = services.rectification_update(
        acting_user=users.secretary_a,
        rectification=rect,
        measures="逐条整改",
        responsible_person="张",
        responsible_unit="甲支部",
        deadline_class=rect.deadline_class,
        deadline=rect.deadline,
    )
    assert rect.measures == "逐条整改"


def test_roll_up_follows_a_submission_without_a_full_refresh(tree, users, django_capture_on_commit_callbacks):
    period = Period.current()
    stats_refresh(period=period)
    ledger = make_ledger(tree.branch_a, period)
    make_meeting(ledger, day=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.ledger_submit(acting_user=users.secretary_a, ledger=ledger)
    for org in (tree.branch_a, tree.street_a, tree.district_a, tree.city):
        row = OrgMonthStats.objects.get(organization=org, month=period.first_day)
        assert (row.ledgers_submitted, row.ledgers_on_time) == (1, 1), org.name
    assert OrgMonthStats.objects.get(organization=tree.district_b, month=period.first_day).ledgers_submitted == 0
    stats_refresh(period=period)  # the full refresh agrees with the incremental one
    assert OrgMonthStats.objects.get(organization=tree.city, month=period.first_day).ledgers_submitted == 1
