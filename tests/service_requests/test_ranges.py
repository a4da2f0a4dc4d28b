"""Rates for any date range: whole months from the monthly roll-up, edge days from the daily one; page, API
and export take from/to; bad input is refused with a Chinese message naming the field."""

import datetime
import io
import random

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.service_requests import services
from apps.service_requests.models import ServiceStatDay
from apps.service_requests.ranges import parse_range
from apps.service_requests.stats import COUNTERS, live_counters, split_range, stats_rebuild, subtree_rates
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db
D = datetime.date


def test_split_range_into_whole_months_and_edge_days():
    assert split_range(D(2026, 3, 5), D(2026, 6, 10)) == (
        (D(2026, 4, 1), D(2026, 5, 1)),
        [(D(2026, 3, 5), D(2026, 3, 31)), (D(2026, 6, 1), D(2026, 6, 10))],
    )
    assert split_range(D(2026, 3, 1), D(2026, 3, 31)) == ((D(2026, 3, 1), D(2026, 3, 1)), [])
    assert split_range(D(2026, 3, 5), D(2026, 3, 20)) == (None, [(D(2026, 3, 5), D(2026, 3, 20))])
    assert split_range(D(2026, 3, 5), D(2026, 4, 10)) == (
        None,
        [(D(2026, 3, 5), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 4, 10))],
    )
    assert split_range(D(2026, 1, 1), D(2026, 2, 27)) == (
        (D(2026, 1, 1), D(2026, 1, 1)),
        [(D(2026, 2, 1), D(2026, 2, 27))],
    )
    assert split_range(D(2026, 2, 28), D(2026, 2, 28)) == (None, [(D(2026, 2, 28), D(2026, 2, 28))])


@pytest.fixture
def history(tree, sr):
    """Requests registered on days spread over three months, some answered, some followed up."""
    rng = random.Random(5)
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=d) for d in range(0, 80, 3)]
    for i, day in enumerate(days):
        org, worker = rng.choice([(tree.branch_a, sr.worker_a), (tree.branch_b, sr.worker_b)])
        req = make_request(worker, org, rng.choice([sr.cat, sr.sub]), phone=f"1350000{i:04d}", received_at=day)
        if i % 2:
            req = services.request_accept(acting_user=worker, request=req)
            req = services.request_answer(acting_user=worker, request=req, result="办结")
            if i % 3:
                services.request_follow_up(acting_user=worker, request=req, satisfaction="satisfied")
    return days


def test_any_range_matches_a_live_recount_for_every_subtree(tree, history):
    today = timezone.localdate()
    ranges = [
        (today - datetime.timedelta(days=40), today - datetime.timedelta(days=5)),
        (today - datetime.timedelta(days=79), today),
        (today.replace(day=1), today),
        (today - datetime.timedelta(days=9), today - datetime.timedelta(days=9)),
    ]
    for start, end in ranges:
        for root in (tree.city, tree.street_a, tree.branch_a):
            data = subtree_rates(root=root, start=start, end=end)
            live = live_counters(root_path=root.path, start=start, end=end)
            assert {k: getattr(data["total"], k) for k in COUNTERS} == live, (root.name, start, end)
        children = subtree_rates(root=tree.street_a, start=start, end=end)["children"]
        assert (
            sum(f.volume for _c, f in children)
            == live_counters(root_path=tree.street_a.path, start=start, end=end)["volume"]
        )


def test_kept_daily_rows_equal_a_full_rebuild(tree, history):
    def rows():
        return sorted(
            r
            for r in ServiceStatDay.objects.values_list("organization_id", "day", "category_id", *COUNTERS)
            if any(r[3:])
        )

    kept = rows()
    stats_rebuild(root_path="/")
    assert kept == rows() and kept


def test_parse_range_defaults_months_dates_and_errors():
    today = D(2026, 12, 4)
    assert parse_range({}, today=today) == (D(2026, 1, 1), D(2026, 12, 31))
    assert parse_range({"start": "2026-03", "end": "2026-05"}, today=today) == (D(2026, 3, 1), D(2026, 5, 31))
    assert parse_range({"from": "2026-03-05", "to": "2026-06-10"}, today=today) == (D(2026, 3, 5), D(2026, 6, 10))
    assert parse_range({"from": "2026-11-20"}, today=today) == (D(2026, 11, 20), today)
    for params, field, text in (
        ({"from": "2026-3-5"}, "from", "起始日期格式应为"),
        ({"to": "2026-02-30"}, "to", "截止日期格式应为"),
        ({"from": "2026-06-10", "to": "2026-03-05"}, "from", "起始日期不能晚于截止日期"),
        ({"start": "三月"}, "start", "起始月份格式应为"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "from", "最长10年"),
    ):
        with pytest.raises(Exception) as exc:
            parse_range(params, today=today)
        assert text in exc.value.message_dict[field][0], params


def test_page_api_and_export_take_from_and_to_and_refuse_bad_input(tree, users, sr, client_for, api_for):
    today = timezone.localdate()
    old = today - datetime.timedelta(days=20)
    make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13600000001", received_at=old)
    make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13600000002", received_at=today)
    q = {"org": tree.street_a.code, "from": today.isoformat(), "to": today.isoformat()}
    client = client_for(users.district_staff)
    url = reverse("service_requests:stats")
    html = client.get(url, q).content.decode()
    assert f"{today.year}年{today.month}月{today.day}日至" in html
    assert f"from={today.isoformat()}&amp;to={today.isoformat()}" in html  # child links keep the range
    resp = client.get(url, {**q, "export": "xlsx"})
    assert today.strftime("%Y%m%d") in resp["Content-Disposition"] or "filename*" in resp["Content-Disposition"]
    assert load_workbook(io.BytesIO(resp.content))["按组织"]["B2"].value == 1
    api = api_for(users.district_staff)
    data = api.get("/api/v1/service-stats/", q).json()
    assert (data["total"]["volume"], data["from"], data["to"]) == (1, today.isoformat(), today.isoformat())
    wide = api.get("/api/v1/service-stats/", {**q, "from": old.isoformat()}).json()
    assert wide["total"]["volume"] == 2
    bad = api.get("/api/v1/service-stats/", {**q, "from": "2026-13-01"})
    assert bad.status_code == 400 and "起始日期格式应为" in str(bad.json()["from"])
    page = client.get(url, {**q, "to": "明天"})
    assert page.status_code == 200 and "截止日期格式应为" in page.content.decode()
    assert client.get(url, {**q, "to": "明天", "export": "xlsx"}).status_code == 400
    # a sibling district's user is refused the subtree, page and API
    assert client_for(users.district_b_staff).get(url, q).status_code == 404
    assert api_for(users.district_b_staff).get("/api/v1/service-stats/", q).status_code == 404
