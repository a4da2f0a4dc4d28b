import datetime
import random

import pytest
from django.utils import timezone

from apps.core.metrics import metric_values
from apps.service_requests import services
from apps.service_requests.models import ServiceRequest, ServiceStatMonth
from apps.service_requests.stats import COUNTERS, live_counters, stats_rebuild, subtree_rates
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(
        ServiceStatMonth.objects.values_list("organization_id", "is_rollup", "month", "category_id", *COUNTERS)
    )


def _random_history(tree, users, sr, n=25, seed=7):
    rng = random.Random(seed)
    for i in range(n):
        org, worker = rng.choice([(tree.branch_a, sr.worker_a), (tree.branch_b, sr.worker_b)])
        req = make_request(worker, org, rng.choice([sr.cat, sr.sub]), phone=f"1390000{i:04d}")
        step = rng.randint(0, 6)
        if step >= 1:
            req = services.request_accept(acting_user=worker, request=req)
        if step >= 2:
            req = services.request_answer(acting_user=worker, request=req, result="办结")
        if step >= 3:
            sat = rng.choice(["satisfied", "basic", "unsatisfied"])
            req = services.request_follow_up(acting_user=worker, request=req, satisfaction=sat)
        if step >= 4 and req.status == "followed_up":
            req = services.request_close(acting_user=worker, request=req)
        if step == 5 and req.status in ("registered", "accepted", "in_progress"):
            other = tree.branch_b if req.organization_id == tree.branch_a.pk else tree.branch_a
            services.request_transfer(acting_user=users.street_staff, request=req, organization=other, note="转")
        if step == 6 and req.status in ("registered", "accepted", "in_progress"):
            services.request_escalate(acting_user=users.street_staff, request=req, note="上报")


def test_rates_from_the_kept_table_match_a_live_recount(tree, users, sr):
    _random_history(tree, users, sr)
    today = timezone.localdate()
    for root in (tree.city, tree.district_a, tree.street_a, tree.branch_a, tree.branch_b):
        data = subtree_rates(root=root, start=today, end=today)
        live = live_counters(root_path=root.path, start=today, end=today)
        assert {k: getattr(data["total"], k) for k in COUNTERS} == live, root.name
    assert live_counters(root_path=tree.city.path, start=today, end=today)["volume"] == 25


def test_kept_table_equals_a_full_rebuild(tree, users, sr):
    _random_history(tree, users, sr, seed=11)
    kept = [r for r in _rows() if any(r[4:])]
    stats_rebuild(root_path="/")
    assert kept == _rows()


def test_per_child_figures_add_up_to_the_total(tree, users, sr):
    _random_history(tree, users, sr, seed=3)
    today = timezone.localdate()
    data = subtree_rates(root=tree.street_a, start=today, end=today)
    children = {c.pk: f for c, f in data["children"]}
    escalated = ServiceRequest.objects.filter(organization=tree.street_a).count()
    assert escalated > 0
    assert data["total"].volume == children[tree.branch_a.pk].volume + children[tree.branch_b.pk].volume + escalated
    assert data["top_categories"] and data["top_categories"][0][1] > 0


def test_rates_are_computed_from_numerators_and_denominators(tree, sr):
    today = timezone.localdate()
    for i in range(4):
        req = make_request(sr.worker_a, tree.branch_a, sr.cat, phone=f"1370000000{i}")
        req = services.request_accept(acting_user=sr.worker_a, request=req)
        if i < 2:
            req = services.request_answer(acting_user=sr.worker_a, request=req, result="ok")
            services.request_follow_up(
                acting_user=sr.worker_a, request=req, satisfaction="satisfied" if i == 0 else "basic"
            )
    t = subtree_rates(root=tree.city, start=today, end=today)["total"]
    assert (t.volume, t.closed, t.closed_on_time, t.followed_up, t.satisfied) == (4, 2, 2, 2, 2)
    assert t.response_rate == 100 and t.closure_rate == 50 and t.satisfaction_rate == 100


def test_metrics_are_registered_and_roll_up(tree, sr):
    today = timezone.localdate()
    make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13600000001")
    req = make_request(sr.worker_b, tree.branch_b, sr.cat, phone="13600000002")
    req = services.request_accept(acting_user=sr.worker_b, request=req)
    services.request_answer(acting_user=sr.worker_b, request=req, result="ok")
    orgs = [tree.city, tree.branch_a, tree.branch_b]
    vol = metric_values("service_requests.volume", organizations=orgs, start=today, end=today)
    assert (vol[tree.city.pk].value, vol[tree.branch_a.pk].value) == (2, 1)
    rate = metric_values("service_requests.on_time_closure_rate", organizations=orgs, start=today, end=today)
    assert rate[tree.branch_b.pk].value == 1 and rate[tree.branch_a.pk].value is None
    resp = metric_values("service_requests.response_rate", organizations=orgs, start=today, end=today)
    assert resp[tree.city.pk].numerator == 1 and resp[tree.city.pk].denominator == 2
    sat = metric_values("service_requests.satisfaction_rate", organizations=orgs, start=today, end=today)
    assert sat[tree.city.pk].value is None


def test_stats_months_follow_the_registration_month(tree, sr):
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=3)
    make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=last_month)
    today = timezone.localdate()
    assert subtree_rates(root=tree.city, start=today, end=today)["total"].volume == 0
    assert subtree_rates(root=tree.city, start=last_month, end=today)["total"].volume == 1
