"""The request list pages by keyset cursors (no OFFSET, no COUNT) with bounded queries and sargable filters."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.service_requests.keyset import decode, encode
from tests.factories.service_requests import make_category, make_request

pytestmark = pytest.mark.django_db


def _codes(html):
    return re.findall(r">(FW\d{8})</a>", html)


def test_cursor_round_trip_and_garbage_is_ignored():
    at = timezone.now()
    assert decode(encode(at, 42)) == (at, 42)
    for junk in ("", "abc", "1.x", "9" * 40 + ".1", "1.2.3"):
        assert decode(junk) is None


def test_pages_forward_and_back_cover_every_row_once(tree, sr, client_for):
    today = timezone.localdate()
    reqs = [
        make_request(sr.worker_a, tree.branch_a, sr.cat, phone=f"1380000{i:04d}",
                     received_at=today - datetime.timedelta(days=i % 7))
        for i in range(57)
    ]  # fmt: skip
    client = client_for(sr.worker_a)
    url = reverse("service_requests:request_list")
    seen, pages, html = [], [], client.get(url).content.decode()
    while True:
        pages.append(_codes(html))
        seen += pages[-1]
        m = re.search(r'href="\?(?:[^"]*&amp;)?after=([0-9.\-]+)"', html)
        if not m:
            break
        html = client.get(url, {"after": m.group(1)}).content.decode()
    assert [len(p) for p in pages] == [25, 25, 7]
    assert sorted(seen) == sorted(r.code for r in reqs) and len(set(seen)) == 57
    before = re.search(r'href="\?(?:[^"]*&amp;)?before=([0-9.\-]+)"', html).group(1)
    back = _codes(client.get(url, {"before": before}).content.decode())
    assert back == pages[1]
    assert _codes(client.get(url, {"after": "garbage"}).content.decode()) == pages[0]


def test_queries_do_not_grow_with_the_page_and_filters_use_ids_and_bounds(tree, sr, client_for):
    other = make_category(tree.city, name="环境整治")
    today = timezone.localdate()
    made = {}
    for i in range(40):
        cat = (sr.cat, sr.sub, other)[i % 3]
        req = make_request(sr.worker_a, tree.branch_a, cat, phone=f"1370000{i:04d}",
                           received_at=today - datetime.timedelta(days=i))  # fmt: skip
        made[req.code] = cat
    client = client_for(sr.worker_a)
    url = reverse("service_requests:request_list")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    cursor = re.search(r"after=([0-9.\-]+)", html).group(1)
    with CaptureQueriesContext(connection) as deep:
        client.get(url, {"after": cursor})
    assert len(deep) == len(first) <= 14
    rows = [
        q["sql"].upper() for q in deep.captured_queries if 'FROM "SERVICE_REQUESTS_SERVICEREQUEST"' in q["sql"].upper()
    ]
    assert len(rows) == 1 and "OFFSET" not in rows[0] and "COUNT(" not in rows[0]
    # the category filter takes the sub-kinds as ids; the registered-date bounds are the local days
    html = client.get(url, {"category": sr.cat.pk}).content.decode()
    rest = re.search(r"after=([0-9.\-]+)", html).group(1)
    codes = _codes(html) + _codes(client.get(url, {"category": sr.cat.pk, "after": rest}).content.decode())
    assert len(codes) == 27 and {made[c] for c in codes} == {sr.cat, sr.sub}  # 14 民事代办 + 13 社保
    since = today - datetime.timedelta(days=4)
    codes = _codes(
        client.get(url, {"received_from": since.isoformat(), "received_to": today.isoformat()}).content.decode()
    )
    assert len(codes) == 5


def test_sibling_community_sees_none_of_the_rows(tree, sr, client_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    assert req.code not in client_for(sr.worker_b).get(reverse("service_requests:request_list")).content.decode()


def test_selective_filters_page_by_cursor_too(tree, sr, client_for):
    old = timezone.localdate() - datetime.timedelta(days=30)
    overdue = {
        make_request(sr.worker_a, tree.branch_a, sr.cat, phone=f"1360000{i:04d}",
                     received_at=old - datetime.timedelta(days=i)).code
        for i in range(30)
    }  # fmt: skip
    make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13500000000")  # today: not overdue
    client = client_for(sr.worker_a)
    url = reverse("service_requests:request_list")
    html = client.get(url, {"timing": "overdue"}).content.decode()
    first = _codes(html)
    cursor = re.search(r"after=([0-9.\-]+)", html).group(1)
    html = client.get(url, {"timing": "overdue", "after": cursor}).content.decode()
    second = _codes(html)
    assert len(first) == 25 and len(second) == 5 and set(first) | set(second) == overdue
    assert first == sorted(first)  # newest first: here each later code was registered a day earlier
    before = re.search(r"before=([0-9.\-]+)", html).group(1)
    assert _codes(client.get(url, {"timing": "overdue", "before": before}).content.decode()) == first


def test_category_options_are_one_query_and_an_unknown_category_shows_no_rows(tree, sr, client_for, api_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.sub)
    client, url = client_for(sr.worker_a), reverse("service_requests:request_list")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url, {"category": sr.sub.pk}).content.decode()
    assert _codes(html) == [req.code] and f'<option value="{sr.sub.pk}" selected>' in html
    cats = [q["sql"] for q in ctx.captured_queries if 'FROM "service_requests_servicecategory"' in q["sql"]]
    assert len(cats) == 2 and not any("COUNT(" in q.upper() for q in cats)  # the options, the sub-kinds
    html = client.get(url, {"category": 987654}).content.decode()
    assert _codes(html) == [] and "filter-errors" in html
    assert api_for(sr.worker_a).get("/api/v1/service-requests/", {"category": 987654}).status_code == 400
