"""The ranking page: seek by pre-numbered position (bounded queries whatever the page), the rows of a page
cached per recalculation and never stale after one, a cursor for viewers who see only their subtree."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.assessment import selectors, services
from apps.assessment.models import AssessmentResult
from tests.factories.assessment import make_simple_plan
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plan(tree, users):
    staff = users.district_staff
    for _ in range(5):
        make_org(tree.street_a, kind="branch")
    plan, ind = make_simple_plan(staff, tree.district_a, year=datetime.date.today().year)
    services.plan_start_scoring(acting_user=staff, plan=plan)
    results = list(AssessmentResult.objects.filter(plan=plan).order_by("id"))
    for i, r in enumerate(results):
        services.rater_score_set(acting_user=staff, result=r, indicator=ind["raters"], points=D(10 + 5 * (i % 4)))
    services.plan_compute(acting_user=staff, plan=plan)
    plan.refresh_from_db()
    return plan, ind


def test_positions_follow_the_ranking_and_pages_seek_by_them(tree, users, plan, monkeypatch):
    plan, _ind = plan
    rows = list(AssessmentResult.objects.filter(plan=plan).order_by("rank", "id"))
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert plan.summary["total"] == len(rows) == 7
    monkeypatch.setattr(selectors, "RANKING_PAGE", 3)
    page = selectors.ranking_page(user=users.district_staff, plan=plan, page=2)
    assert [r.pk for r in page["rows"]] == [r.pk for r in rows[3:6]]
    assert (page["pages"], page["has_next"], page["has_previous"]) == (3, True, True)
    last = selectors.ranking_page(user=users.district_staff, plan=plan, page=99)
    assert last["page"] == 3 and [r.pk for r in last["rows"]] == [r.pk for r in rows[6:]]


def test_ranking_page_queries_are_bounded_on_any_page(tree, users, client_for, plan, monkeypatch):
    plan, _ind = plan
    monkeypatch.setattr(selectors, "RANKING_PAGE", 2)
    client = client_for(users.district_staff)
    url = reverse("assessment:ranking", args=[plan.pk])
    counts = []
    for page in (1, 4):
        client.get(url, {"page": page})
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url, {"page": page})
        assert resp.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 8
    assert client.get(url, {"page": "x"}).status_code == 404


def test_cached_page_is_never_stale_after_a_recalculation(tree, users, client_for, plan):
    plan, ind = plan
    client = client_for(users.district_staff)
    url = reverse("assessment:ranking", args=[plan.pk])
    first = client.get(url).content.decode()
    branch_a = AssessmentResult.objects.get(plan=plan, organization=tree.branch_a)
    services.rater_score_set(acting_user=users.district_staff, result=branch_a, indicator=ind["raters"],
                             points=D("59.5"))  # fmt: skip
    services.plan_compute(acting_user=users.district_staff, plan=plan)
    branch_a.refresh_from_db()
    assert branch_a.rank == 1 and "59.50" not in first
    again = client.get(url).content.decode()
    assert "59.50" in again and again.index("甲支部") < again.index("乙支部")


def test_subtree_viewer_follows_a_cursor_and_sees_no_sibling(tree, users, client_for, plan, monkeypatch):
    plan, _ind = plan
    monkeypatch.setattr(selectors, "RANKING_PAGE", 1)
    page = selectors.ranking_page(user=users.secretary_b, plan=plan)
    assert [r.organization_id for r in page["rows"]] == [tree.branch_b.pk] and not page["has_next"]
    text = client_for(users.secretary_b).get(reverse("assessment:ranking", args=[plan.pk])).content.decode()
    assert "乙支部" in text and "甲支部" not in text
    # a street committee sees its own branches page by page, never the other street's
    street = selectors.ranking_page(user=users.street_staff, plan=plan)
    assert street["has_next"] and not street["full"]
    nxt = selectors.ranking_page(user=users.street_staff, plan=plan, after=street["next_after"])
    assert nxt["rows"][0].position > street["rows"][0].position
