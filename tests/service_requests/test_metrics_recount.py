"""The service_requests.* metrics, read through the registry as dashboards and assessment read them (rolled
up the tree), equal a recount of the request rows with plain ORM filters written here.

The figures are kept per registration month, so the periods here are what callers use: whole months, ending
on a month's last day (assessment, trend bars) or on today (the dashboard's "current")."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from apps.core.metrics import metric_values, metrics
from apps.core.periods import Period
from apps.service_requests import services
from apps.service_requests.models import ServiceRequest
from tests.factories.accounts import make_user
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db

SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]
NAMES = [
    "service_requests.volume",
    "service_requests.on_time_closure_rate",
    "service_requests.satisfaction_rate",
    "service_requests.response_rate",
]
LAST, NOW = Period.current().previous(), Period.current()
PERIODS = {
    "last_month": (LAST.first_day, LAST.last_day),
    "last_month_to_today": (LAST.first_day, None),
    "this_month_to_today": (NOW.first_day, None),
}


def _at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def requests_(tree, users, sr):
    """Requests registered at the first instant of last month, its last second, the second before it and
    today, in every state (registered, accepted, answered, followed up satisfied/basic/unsatisfied,
    transferred to the sibling, escalated to the street), in branch_a, branch_b and the other district."""
    worker_c = make_user(tree.branch_c, "committee_staff", username="worker_c")
    workers = {tree.branch_a.pk: sr.worker_a, tree.branch_b.pk: sr.worker_b, tree.branch_c.pk: worker_c}
    received = [
        _at(LAST.first_day),
        _at(LAST.last_day, 23, 59, 59),
        _at(LAST.first_day - datetime.timedelta(days=1), 23, 59, 59),  # just before last month
        None,  # now
    ]
    n = 0
    for org in (tree.branch_a, tree.branch_b, tree.branch_c):
        worker = workers[org.pk]
        for at in received:
            for step in ("registered", "accepted", "answered", "satisfied", "basic", "unsatisfied", "moved"):
                n += 1
                if org.pk == tree.branch_c.pk and step in ("basic", "moved"):
                    continue
                req = make_request(worker, org, sr.cat, phone=f"1350000{n:04d}", received_at=at)
                if step == "registered":
                    continue
                if step == "moved":
                    if org.pk == tree.branch_a.pk:
                        services.request_transfer(
                            acting_user=users.street_staff, request=req, organization=tree.branch_b, note="转"
                        )
                    else:
                        services.request_escalate(acting_user=users.street_staff, request=req, note="上报")
                    continue
                req = services.request_accept(acting_user=worker, request=req)
                if step == "accepted":
                    continue
                req = services.request_answer(acting_user=worker, request=req, result="办结")
                if step != "answered":
                    req = services.request_follow_up(acting_user=worker, request=req, satisfaction=step)
                if step == "unsatisfied":  # the first 不满意 reopens it: handled again, unsatisfied again
                    req = services.request_answer(acting_user=worker, request=req, result="二次办结")
                    services.request_follow_up(acting_user=worker, request=req, satisfaction=step)


def _recount(name: str, scope, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    rows = ServiceRequest.objects.filter(
        organization__path__startswith=scope.path, received_at__date__gte=start, received_at__date__lte=end
    )
    volume = rows.count()
    closed = rows.filter(answered_at__isnull=False)
    followed = rows.exclude(Q(satisfaction="") | Q(satisfaction__isnull=True))
    if name == "service_requests.volume":
        return volume, volume
    if name == "service_requests.on_time_closure_rate":
        return closed.filter(closed_on_time=True).count(), closed.count()
    if name == "service_requests.satisfaction_rate":
        return followed.filter(satisfaction__in=["satisfied", "basic"]).count(), followed.count()
    return rows.filter(responded_on_time=True).count(), volume


def test_every_registered_service_metric_is_compared_here():
    assert {n for n in metrics() if n.startswith("service_requests.")} == set(NAMES)


@pytest.mark.parametrize("period", sorted(PERIODS))
@pytest.mark.parametrize("name", NAMES)
def test_registry_value_equals_recount_for_every_scope(tree, requests_, name, period):
    start, end = PERIODS[period]
    end = end or timezone.localdate()
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values(name, organizations=scopes, start=start, end=end)
    for s in scopes:
        num, den = _recount(name, s, start, end)
        v = values[s.pk]
        if name == "service_requests.volume":
            assert v.value == num, s.code
        else:
            assert (v.numerator, v.denominator) == (num, den), s.code
    assert values[tree.city.pk].denominator > 0


def test_figures_spelled_out(tree, requests_):
    a = [tree.branch_a, tree.branch_b, tree.street_a]
    vol = metric_values("service_requests.volume", organizations=a, start=LAST.first_day, end=LAST.last_day)
    # registered in last month (first instant, last second): 7 states each in branch_a and branch_b; branch_a's
    # "moved" one went to branch_b, branch_b's was escalated to the street (which counts it in its subtree)
    assert vol[tree.branch_a.pk].value == 12
    assert vol[tree.branch_b.pk].value == 14
    assert vol[tree.street_a.pk].value == 28
    sat = metric_values("service_requests.satisfaction_rate", organizations=a, start=LAST.first_day, end=LAST.last_day)
    assert (sat[tree.street_a.pk].numerator, sat[tree.street_a.pk].denominator) == (8, 12)
