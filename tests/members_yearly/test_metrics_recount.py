"""The members.* metrics, read through the registry as dashboards and assessment read them (rolled up the
tree), equal a recount of the member, dues base and payment rows with plain ORM filters written here —
whether the months were refreshed into DuesMonthStats or are counted live."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.metrics import metric_values, metrics
from apps.core.periods import Period
from apps.members.dues_models import DuesBase, DuesPayment
from apps.members.dues_stats import dues_stats_refresh
from apps.members.models import Member, Recruitment, Transfer
from apps.organizations.models import Organization
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
P2 = Period.current().previous()
P1 = P2.previous()
START, END = P1.first_day, P2.last_day
SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]
NAMES = ["members.dues_collection_rate", "members.member_count", "members.recruited_count"]
STAGES = ["applicant", "activist", "candidate", "probationary", "full"]
STATS = [
    "members.full_count",
    "members.probationary_count",
    "members.admitted_count",
    "members.transferred_in_count",
    "members.transferred_out_count",
    "members.stopped_or_left_count",
    "members.deceased_count",
    *[f"members.recruitment.{s}" for s in STAGES],
]
LEFT = ["membership_stopped", "removed", "expelled", "withdrawn", "left"]


def _pay(member: Member, period: Period, org: Organization | None = None) -> None:
    org = org or member.organization
    DuesPayment.objects.create(
        member=member, organization=org, org_path=org.path, month=period.first_day, amount=Decimal("15.00"),
        method="cash", paid_on=period.last_day,
    )  # fmt: skip


def _exempt(member: Member) -> None:
    for year in sorted({P1.year, P2.year}):
        DuesBase.objects.create(
            member=member, organization=member.organization, org_path=member.org_path, year=year,
            category="retiree", base=Decimal("0"), monthly_amount=Decimal("0.20"), reduction="exempt",
        )  # fmt: skip


@pytest.fixture
def members(tree):
    """Members joined on the period's first and last day and a day either side; members no longer in good
    standing; an exempt member; payments by members no longer liable (more paid than owed in a month)."""
    a1 = make_member(tree.branch_a)  # liable both months, pays both
    _pay(a1, P1)
    _pay(a1, P2)
    a2 = make_member(tree.branch_a, joined_on=START)  # recruited on the first day
    _pay(a2, P2)
    make_member(tree.branch_a, joined_on=END, category="probationary")  # recruited on the last day, never pays
    a4 = make_member(tree.branch_a, joined_on=START - DAY)  # just before: not recruited in the period
    _pay(a4, P1)
    make_member(tree.branch_a, joined_on=END + DAY, category="probationary")  # just after
    dead = make_member(tree.branch_a, status="deceased")  # not in good standing: neither counted nor liable
    _pay(dead, P1)  # paid before dying: a payment, but nothing owed for it
    exempt = make_member(tree.branch_a)
    _exempt(exempt)
    _pay(exempt, P2)  # pays although exempt
    left = make_member(tree.branch_a, joined_on=P2.first_day.replace(day=10), status="transferred_out")
    _pay(left, P2)  # recruited in the period, then transferred out
    make_member(tree.branch_a, joined_on=None)  # no joining date recorded: counted, liable
    # the sibling branch_b: one member paying both months, one never
    b1 = make_member(tree.branch_b)
    _pay(b1, P1)
    _pay(b1, P2)
    make_member(tree.branch_b, joined_on=P1.first_day.replace(day=15))
    # the other district
    c1 = make_member(tree.branch_c, joined_on=P2.last_day)
    _pay(c1, P2)
    expelled = make_member(tree.branch_c, status="expelled")
    _pay(expelled, P1)  # branch_c owes nothing in P1 but has a payment: 0 of 0
    _pay(expelled, P2)  # two paid where one is owed: counts 1 of 1
    return tree


def _months() -> list[Period]:
    return [P1, P2]


def _rate_recount(scope: Organization) -> tuple[int, int]:
    """Member-months: in each month each organization owes one per member in good standing who had joined by
    the month's end and is not exempt that year; it is paid up to what it owes (extra payments don't count)."""
    num = den = 0
    for month in _months():
        exempt = DuesBase.objects.filter(year=month.year, reduction="exempt").values("member_id")
        for org in Organization.objects.filter(path__startswith=scope.path):
            liable = (
                Member.objects.filter(organization=org, status="active")
                .exclude(joined_on__gt=month.last_day)
                .exclude(pk__in=exempt)
                .count()
            )
            paid = DuesPayment.objects.filter(organization=org, month=month.first_day).count()
            num += min(paid, liable)
            den += liable
    return num, den


def _count_recount(name: str, scope: Organization) -> int:
    qs = Member.objects.filter(organization__path__startswith=scope.path)
    if name == "members.member_count":
        return qs.filter(status="active").exclude(joined_on__gt=END).count()
    return qs.filter(joined_on__gte=START, joined_on__lte=END).count()


def test_every_registered_members_metric_is_compared_here():
    assert {n for n in metrics() if n.startswith("members.")} == {*NAMES, *STATS}


@pytest.mark.parametrize("refreshed", [(), (P2,), (P1, P2)], ids=["live", "last_month_refreshed", "both_refreshed"])
def test_collection_rate_equals_recount_for_every_scope(tree, members, refreshed):
    for period in refreshed:
        dues_stats_refresh(period=period)
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values("members.dues_collection_rate", organizations=scopes, start=START, end=END)
    got = {s.code: (values[s.pk].numerator, values[s.pk].denominator) for s in scopes}
    assert got == {s.code: _rate_recount(s) for s in scopes}


@pytest.mark.parametrize("name", NAMES[1:])
def test_counts_equal_recount_for_every_scope(tree, members, name):
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values(name, organizations=scopes, start=START, end=END)
    assert {s.code: values[s.pk].value for s in scopes} == {s.code: _count_recount(name, s) for s in scopes}


def test_figures_spelled_out(tree, members):
    a = [tree.branch_a]
    rate = metric_values("members.dues_collection_rate", organizations=a, start=START, end=END)[tree.branch_a.pk]
    # P1 owes a1, a2 (joined on START), a4, the one without a date = 4; paid: a1, a4, the dead one = 3
    # P2 owes those and the one joined on END = 5; paid: a1, a2, the exempt one, the one transferred out = 4
    assert (rate.numerator, rate.denominator) == (3 + 4, 4 + 5)
    c = metric_values("members.dues_collection_rate", organizations=[tree.branch_c], start=START, end=END)
    assert (c[tree.branch_c.pk].numerator, c[tree.branch_c.pk].denominator) == (1, 1)  # capped at what is owed
    count = metric_values("members.member_count", organizations=a, start=START, end=END)[tree.branch_a.pk]
    assert count.value == 6  # a1, a2, END, START-1, exempt, no date
    recruited = metric_values("members.recruited_count", organizations=a, start=START, end=END)[tree.branch_a.pk]
    assert recruited.value == 3  # START, END, and the one transferred out since


# ---------------------------------------------------------------- member statistics (stocks and changes)


def _at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def changes(tree, members):
    """Status changes, transfers closed and recruitment confirmations on the period's first and last day (and
    instant) and just outside, across branch_a, the sibling branch_b and the other district's branch_c."""
    for org, status, on in [
        (tree.branch_a, "deceased", START),
        (tree.branch_b, "deceased", END),
        (tree.branch_a, "deceased", START - DAY),
        (tree.branch_c, "deceased", END + DAY),
        (tree.branch_a, "membership_stopped", START),
        (tree.branch_c, "expelled", END),
        (tree.branch_a, "withdrawn", END + DAY),
        (tree.branch_b, "left", P2.first_day),
        (tree.branch_b, "removed", START - DAY),
        (tree.branch_a, "transferred_out", P1.last_day),  # a transfer, not a way of leaving the party
    ]:
        make_member(org, status=status, status_changed_on=on)
    people = [make_member(tree.branch_a) for _ in range(8)]
    for member, src, dst, kind, status, closed in [
        (people[0], tree.branch_c, tree.branch_a, "internal", "received", _at(START)),
        (people[1], tree.branch_a, tree.branch_b, "internal", "received", _at(END, 23, 59, 59)),
        (people[2], tree.branch_b, None, "outside", "issued", _at(START - DAY, 23, 59, 59)),
        (people[3], tree.branch_a, None, "outside", "issued", _at(END + DAY)),
        (people[4], tree.branch_b, None, "outside", "issued", _at(P2.first_day, 10)),
        (people[5], tree.branch_a, tree.branch_c, "internal", "approved", _at(P2.first_day, 10)),  # not received
        (people[6], tree.branch_c, tree.branch_b, "internal", "returned", _at(P1.last_day, 10)),
        (people[7], tree.branch_b, tree.branch_c, "internal", "received", _at(P2.first_day, 11)),
    ]:
        Transfer.objects.create(
            member=member, from_org=src, to_org=dst, kind=kind, status=status, closed_at=closed,
            outside_destination="" if dst else "外省某单位", valid_until=END,
        )  # fmt: skip
    before = START - datetime.timedelta(days=400)
    for org, stage, confirmed in [
        (tree.branch_a, "applicant", None),
        (tree.branch_a, "activist", None),
        (tree.branch_b, "activist", None),
        (tree.branch_c, "candidate", None),
        (tree.branch_a, "candidate", None),
        (tree.branch_b, "probationary", None),
        (tree.branch_a, "full", START),
        (tree.branch_b, "full", END),
        (tree.branch_a, "full", START - DAY),
        (tree.branch_c, "full", END + DAY),
        (tree.branch_a, "cancelled", None),
        (tree.branch_b, "withdrawn", None),
    ]:
        Recruitment.objects.create(
            name="申请人", gender="1", organization=org, stage=stage, applied_on=before, confirmed_on=confirmed
        )
    return tree


def _stats_recount(name: str, scope: Organization) -> int:
    key = name.removeprefix("members.")
    within = scope.path
    members = Member.objects.filter(organization__path__startswith=within)
    in_period = {"status_changed_on__gte": START, "status_changed_on__lte": END}
    closed = {"closed_at__date__gte": START, "closed_at__date__lte": END}
    if key in ("full_count", "probationary_count"):
        category = key.removesuffix("_count")
        return members.filter(status="active", category=category).exclude(joined_on__gt=END).count()
    if key == "admitted_count":
        return members.filter(joined_on__gte=START, joined_on__lte=END).count()
    if key == "deceased_count":
        return members.filter(status="deceased", **in_period).count()
    if key == "stopped_or_left_count":
        return members.filter(status__in=LEFT, **in_period).count()
    if key == "transferred_in_count":
        return Transfer.objects.filter(status="received", to_org__path__startswith=within, **closed).count()
    if key == "transferred_out_count":
        out = Transfer.objects.filter(from_org__path__startswith=within, **closed)
        return out.filter(status="received").count() + out.filter(kind="outside", status="issued").count()
    stage = key.removeprefix("recruitment.")
    recruits = Recruitment.objects.filter(organization__path__startswith=within)
    if stage == "full":
        return recruits.filter(confirmed_on__gte=START, confirmed_on__lte=END).count()
    return recruits.filter(stage=stage).count()


@pytest.mark.parametrize("name", STATS)
def test_member_statistics_equal_recount_for_every_scope(tree, changes, name):
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values(name, organizations=scopes, start=START, end=END)
    got = {s.code: values[s.pk].value for s in scopes}
    assert got == {s.code: _stats_recount(name, s) for s in scopes}
    assert got["C0001"] > 0


def test_member_statistics_spelled_out(tree, changes):
    def value(name, org):
        return metric_values(name, organizations=[org], start=START, end=END)[org.pk].value

    assert value("members.deceased_count", tree.city) == 2  # on START and on END
    assert value("members.stopped_or_left_count", tree.city) == 3  # stopped START, expelled END, left in P2
    # street_a received c->a (first instant) and a->b (last second: a move inside the street counts both ways);
    # it sent a->b, b->outside (in P2) and b->c; not the letters issued a day before/after, nor a->c (approved,
    # not yet received)
    assert value("members.transferred_in_count", tree.street_a) == 2
    assert value("members.transferred_out_count", tree.street_a) == 3
    assert value("members.transferred_out_count", tree.district_b) == 1  # c->a at START
    assert value("members.recruitment.full", tree.city) == 2  # confirmed on START and on END
