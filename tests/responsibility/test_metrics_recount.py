"""The responsibility.* metrics, read through the registry as dashboards and assessment read them (rolled up
the tree, after the nightly OrgMonthStats refresh), equal a recount of the rectification, task and ledger
rows with plain ORM filters written here.

The figures are read per month (the stats table is monthly), so the periods here are what callers use:
whole months ending on a month's last day (assessment, trend bars) or on today (the dashboard's "current").
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from apps.core.metrics import metric_values, metrics
from apps.core.periods import Period
from apps.organizations.models import Organization
from apps.responsibility.models import Meeting, MeetingRequirement, MonthlyLedger, Rectification, TaskItem
from apps.responsibility.stats import stats_refresh
from tests.factories.organizations import make_org
from tests.factories.responsibility import make_ledger, make_meeting, make_problem, make_task

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]
RECTIFICATIONS = [
    "responsibility.rectifications_open",
    "responsibility.rectifications_overdue",
    "responsibility.rectifications_closed",
]
RATES = [
    "responsibility.ledger_compliance_rate",
    "responsibility.ledger_submission_rate",
    "responsibility.task_on_time_rate",
]
MEETINGS = "responsibility.meeting_compliance_rate"


def _at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def _refresh(start: datetime.date, end: datetime.date) -> None:
    p = Period(start.year, start.month)
    while p.first_day <= end:
        stats_refresh(period=p)
        p = p.next()


def _values(name, orgs, start, end):
    return metric_values(name, organizations=orgs, start=start, end=end)


# ---------------------------------------------------------------- rectifications (stock figures at the end)


def _rect(org, *, created_at, status="open", deadline=None, signed_off_at=None, deadline_class="by_date"):
    problem = make_problem(org, found_on=timezone.localdate() - datetime.timedelta(days=400))
    Rectification.objects.filter(problem=problem).update(
        created_at=created_at, status=status, deadline=deadline, signed_off_at=signed_off_at,
        deadline_class=deadline_class,
    )  # fmt: skip


@pytest.fixture
def rects(tree):
    """Rectifications around the end of last month (E) and today, in branch_a's subtree, the sibling branch_b,
    street_a itself and the other district's branch_c."""
    today = timezone.localdate()
    end = Period.current().previous().last_day
    first_after = end + DAY  # the first day of this month
    _rect(tree.branch_a, created_at=_at(end - datetime.timedelta(days=20)), deadline=end)  # overdue at E (last day)
    _rect(tree.branch_a, created_at=_at(end, 23, 59, 59), status="in_progress", deadline=first_after)
    _rect(tree.group_a, created_at=_at(first_after), deadline=end - datetime.timedelta(days=5))  # just after E
    _rect(
        tree.branch_b, created_at=_at(end - datetime.timedelta(days=40)), status="signed_off",
        deadline=end - datetime.timedelta(days=30), signed_off_at=_at(end, 23, 59, 59),
    )  # fmt: skip  # closed on E's last second
    _rect(
        tree.branch_b, created_at=_at(end - datetime.timedelta(days=40)), status="signed_off",
        deadline=end - datetime.timedelta(days=30), signed_off_at=_at(first_after),
    )  # fmt: skip  # signed off just after E: still open at E
    _rect(
        tree.branch_b, created_at=_at(end - datetime.timedelta(days=9)), status="awaiting_signoff", deadline=end - DAY
    )
    _rect(tree.street_a, created_at=_at(end - datetime.timedelta(days=3)), deadline_class="long_term")
    _rect(tree.branch_c, created_at=_at(end - datetime.timedelta(days=90)), deadline=end - datetime.timedelta(days=60))
    _rect(
        tree.branch_a, created_at=_at(end - datetime.timedelta(days=70)), status="in_progress",
        deadline=end - datetime.timedelta(days=10),
    )  # fmt: skip  # reopened after a recheck: signed_off_at cleared
    _rect(tree.branch_a, created_at=_at(today), deadline=today)  # due today: not yet overdue today
    return end


def _rect_recount(name: str, scope: Organization, end: datetime.date) -> int:
    """Stock at the end of ``end``: created by then; closed = signed off by then; overdue = not finished (its
    status now) and past its deadline by the end of ``end`` (but not later than today)."""
    qs = Rectification.objects.filter(organization__path__startswith=scope.path, created_at__date__lte=end)
    closed = Q(signed_off_at__isnull=False, signed_off_at__date__lte=end)
    if name.endswith("_closed"):
        return qs.filter(closed).count()
    if name.endswith("_open"):
        return qs.exclude(closed).count()
    overdue_before = min(timezone.localdate(), end + DAY)
    return qs.filter(status__in=["open", "in_progress"], deadline__isnull=False, deadline__lt=overdue_before).count()


@pytest.mark.parametrize("name", RECTIFICATIONS)
@pytest.mark.parametrize("at", ["end_of_last_month", "today"])
def test_rectification_stock_equals_recount_for_every_scope(tree, rects, name, at):
    end = rects if at == "end_of_last_month" else timezone.localdate()
    start = end.replace(day=1)
    _refresh(start, end)
    scopes = [getattr(tree, s) for s in SCOPES]
    values = _values(name, scopes, start, end)
    got = {s.code: values[s.pk].value for s in scopes}
    assert got == {s.code: _rect_recount(name, s, end) for s in scopes}
    assert got["C0001"] > 0


@pytest.mark.parametrize("scope", SCOPES)
def test_rectification_stock_for_one_scope_alone_and_over_a_year(tree, rects, scope):
    """A drill-down asks for one organization; assessment asks for a period of many months (the stock is read
    at its end)."""
    org = getattr(tree, scope)
    end = rects
    _refresh(end.replace(day=1), end)
    for start in (end.replace(day=1), end - datetime.timedelta(days=200)):
        for name in RECTIFICATIONS:
            assert _values(name, [org], start, end)[org.pk].value == _rect_recount(name, org, end), (name, start)


def test_rectification_boundaries_spelled_out(tree, rects):
    end = rects
    _refresh(end.replace(day=1), end)
    city = [tree.city]
    # created by E: all but the one created just after E and the one created today
    assert _values(RECTIFICATIONS[0], city, end, end)[tree.city.pk].value == 7  # 8 created, 1 closed by E
    assert _values(RECTIFICATIONS[2], city, end, end)[tree.city.pk].value == 1
    # overdue at E: deadline E (last day), branch_c's, the reopened one; not the awaiting sign-off one
    assert _values(RECTIFICATIONS[1], city, end, end)[tree.city.pk].value == 3
    sibling = _values(RECTIFICATIONS[0], [tree.branch_b], end, end)[tree.branch_b.pk]
    assert sibling.value == 2  # signed off just after E, awaiting sign-off


# ---------------------------------------------------------------- rates over months (tasks, ledgers)


@pytest.fixture
def months(tree):
    """Two whole past months [start, end]; tasks due on their first and last day and a day either side;
    ledgers of every branch (incl. a revoked branch and a party group, which the rule leaves out)."""
    last = Period.current().previous()
    first = last.previous()
    start, end = first.first_day, last.last_day
    day_of = {"first": start, "last": end, "before": start - DAY, "after": end + DAY, "mid": first.last_day}
    tasks = [
        # org, due, done on (None = not done)
        (tree.branch_a, "first", "first"),
        (tree.branch_a, "last", "after"),  # done a day late
        (tree.group_a, "last", "last"),
        (tree.branch_a, "before", "before"),  # outside the period
        (tree.branch_b, "after", "after"),  # outside the period
        (tree.branch_b, "mid", None),
        (tree.street_a, "mid", "first"),  # done early
        (tree.branch_c, "first", "first"),
        (tree.branch_c, "last", None),
    ]
    for org, due, done in tasks:
        task = make_task(org, due_date=day_of[due], issued_on=start - datetime.timedelta(days=90))
        if done:
            TaskItem.objects.filter(pk=task.pk).update(status="done", completed_on=day_of[done])
    revoked = make_org(tree.street_a, kind="branch")
    joint = make_org(tree.district_b, kind="joint_branch")
    ledgers = [
        # branch, period, submitted at, on time
        (tree.branch_a, first, _at(first.first_day.replace(day=5)), True),
        (tree.branch_a, last, _at(last.last_day, 23, 59, 59), False),
        (tree.branch_b, last, _at(last.first_day.replace(day=3)), True),
        (tree.branch_c, first, None, None),  # opened, not submitted
        (joint, last, _at(last.first_day.replace(day=8)), True),
        (revoked, first, _at(first.first_day.replace(day=2)), True),  # revoked branch: not required, not counted
    ]
    for branch, period, submitted_at, on_time in ledgers:
        ledger = make_ledger(branch, period)
        if submitted_at:
            MonthlyLedger.objects.filter(pk=ledger.pk).update(
                status="submitted", submitted_at=submitted_at, submitted_on_time=on_time
            )
    # a ledger of the month before the period, submitted: outside
    MonthlyLedger.objects.filter(pk=make_ledger(tree.branch_b, first.previous()).pk).update(
        status="submitted", submitted_at=_at(first.previous().first_day), submitted_on_time=True
    )
    Organization.objects.filter(pk=revoked.pk).update(is_active=False)
    return start, end


def _rate_recount(name: str, scope: Organization, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    if name == "responsibility.task_on_time_rate":
        due = TaskItem.objects.filter(organization__path__startswith=scope.path, due_date__range=(start, end))
        on_time = [t for t in due if t.status == "done" and t.completed_on <= t.due_date]
        return len(on_time), due.count()
    branches = Organization.objects.filter(
        path__startswith=scope.path, is_active=True, kind__in=["branch", "joint_branch", "temporary_branch"]
    )
    n_months = (end.year - start.year) * 12 + end.month - start.month + 1
    submitted = MonthlyLedger.objects.filter(
        organization__in=branches, month__gte=start, month__lte=end, submitted_at__isnull=False
    )
    if name == "responsibility.ledger_compliance_rate":
        submitted = submitted.filter(submitted_on_time=True)
    return submitted.count(), branches.count() * n_months


@pytest.mark.parametrize("name", RATES)
def test_rates_equal_recount_for_every_scope(tree, months, name):
    start, end = months
    _refresh(start, end)
    scopes = [getattr(tree, s) for s in SCOPES]
    values = _values(name, scopes, start, end)
    got = {s.code: (values[s.pk].numerator, values[s.pk].denominator) for s in scopes}
    assert got == {s.code: _rate_recount(name, s, start, end) for s in scopes}
    assert got["C0001"][0] > 0


# ---------------------------------------------------------------- meeting compliance (checks due, checks met)


@pytest.fixture
def quarter(tree):
    """The last whole quarter, with requirements set here (monthly, monthly per party group, quarterly with a
    minimum of 2, and an inactive one) and meetings on the windows' first and last days and just outside,
    some inquorate (which do not count); an inactive party group and a revoked branch the rule leaves out."""
    cur = Period.current()
    q_first = Period(cur.year, (cur.quarter - 1) * 3 + 1).shift(-3)
    months = [q_first, q_first.next(), q_first.shift(2)]
    MeetingRequirement.objects.all().delete()
    for kind, period, minimum, per_group, active in [
        ("theme_day", "month", 1, False, True),
        ("group_meeting", "month", 1, True, True),
        ("general_meeting", "quarter", 1, False, True),
        ("party_lecture", "quarter", 2, False, True),
        ("life_meeting", "month", 1, False, False),
    ]:
        MeetingRequirement.objects.create(
            kind=kind, period=period, minimum_count=minimum, per_party_group=per_group, is_active=active
        )
    group_b = make_org(tree.branch_b, kind="party_group")
    dormant = make_org(tree.branch_a, kind="party_group")
    revoked = make_org(tree.street_a, kind="branch")
    ledgers: dict = {}

    def held(branch, period, kind, day, group=None, quorum=None):
        key = (branch.pk, period)
        if key not in ledgers:
            ledgers[key] = make_ledger(branch, period)
        day = period.last_day.day if day == "last" else day
        m = make_meeting(ledgers[key], kind, day=day, party_group=group)
        Meeting.objects.filter(pk=m.pk).update(quorum_met=quorum)

    m1, m2, m3 = months
    # branch_a: theme day in m1 (first day) and m2 (last day), none in m3; its group every month but the m3
    # one inquorate; a general meeting; two lectures (meets the minimum of 2); the dormant group holds nothing
    held(tree.branch_a, m1, "theme_day", 1)
    held(tree.branch_a, m2, "theme_day", "last")
    for m, quorum in ((m1, True), (m2, None), (m3, False)):
        held(tree.branch_a, m, "group_meeting", 5, tree.group_a, quorum)
    held(tree.branch_a, m2, "general_meeting", 12)
    held(tree.branch_a, m1, "party_lecture", 1)
    held(tree.branch_a, m3, "party_lecture", "last")
    held(tree.branch_a, m3, "life_meeting", 3)  # inactive requirement
    # branch_b (the sibling): theme day every month; its new group only in m1; an inquorate general meeting;
    # one lecture (below the minimum)
    for m in months:
        held(tree.branch_b, m, "theme_day", 9)
    held(tree.branch_b, m1, "group_meeting", 9, group_b)
    held(tree.branch_b, m2, "general_meeting", 9, quorum=False)
    held(tree.branch_b, m3, "party_lecture", 9)
    # branch_c: meetings just outside the quarter (the day before, the day after) and one in m2
    held(tree.branch_c, m1.previous(), "theme_day", "last")
    held(tree.branch_c, m1.previous(), "general_meeting", "last")
    held(tree.branch_c, m3.next(), "general_meeting", 1)
    held(tree.branch_c, m2, "theme_day", 20)
    # the revoked branch met everything but is not counted
    for m in months:
        held(revoked, m, "theme_day", 2)
    Organization.objects.filter(pk__in=[revoked.pk, dormant.pk]).update(is_active=False)
    return m1.first_day, m3.last_day


def _window(kind_period: str, month: Period) -> tuple[datetime.date, datetime.date]:
    if kind_period == "month":
        return month.first_day, month.last_day
    if kind_period == "quarter":
        first = Period(month.year, (month.month - 1) // 3 * 3 + 1)
        return first.first_day, first.shift(2).last_day
    return datetime.date(month.year, 1, 1), datetime.date(month.year, 12, 31)


def _meeting_recount(scope: Organization, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """For every month of the period, every active branch, every active requirement whose window closes that
    month (per active party group where required): one check, met when enough quorate meetings were held."""
    branches = Organization.objects.filter(
        path__startswith=scope.path, is_active=True, kind__in=["branch", "joint_branch", "temporary_branch"]
    )
    quorate = Q(quorum_met__isnull=True) | Q(quorum_met=True)
    met = checks = 0
    month = Period(start.year, start.month)
    while month.first_day <= end:
        for req in MeetingRequirement.objects.filter(is_active=True):
            lo, hi = _window(req.period, month)
            if hi != month.last_day:
                continue
            for b in branches:
                held = Meeting.objects.filter(organization=b, kind=req.kind, held_on__gte=lo, held_on__lte=hi)
                held = held.filter(quorate)
                if req.per_party_group:
                    for g in Organization.objects.filter(parent=b, kind="party_group", is_active=True):
                        checks += 1
                        met += held.filter(party_group=g).count() >= req.minimum_count
                else:
                    checks += 1
                    met += held.count() >= req.minimum_count
        month = month.next()
    return met, checks


def test_meeting_compliance_equals_recount_for_every_scope(tree, quarter):
    start, end = quarter
    _refresh(start, end)
    scopes = [getattr(tree, s) for s in SCOPES]
    values = _values(MEETINGS, scopes, start, end)
    got = {s.code: (values[s.pk].numerator, values[s.pk].denominator) for s in scopes}
    assert got == {s.code: _meeting_recount(s, start, end) for s in scopes}
    # spelled out for branch_a: theme day 2/3, group 2/3, general 1/1, lectures 1/1
    assert got["B000A"] == (6, 8)
    # the sibling: theme day 3/3, group 1/3 (its group from m1 on), general 0/1 (inquorate), lectures 0/1
    assert got["B000B"] == (4, 8)


@pytest.mark.parametrize("month", [0, 1, 2])
def test_meeting_compliance_of_one_month_equals_recount(tree, quarter, month):
    start, _end = quarter
    p = Period(start.year, start.month).shift(month)
    _refresh(p.first_day, p.last_day)
    for scope in SCOPES:
        org = getattr(tree, scope)
        v = _values(MEETINGS, [org], p.first_day, p.last_day)[org.pk]
        assert (v.numerator, v.denominator) == _meeting_recount(org, p.first_day, p.last_day), scope


def test_every_registered_responsibility_metric_is_compared_here():
    assert {n for n in metrics() if n.startswith("responsibility.")} == {*RECTIFICATIONS, *RATES, MEETINGS}
