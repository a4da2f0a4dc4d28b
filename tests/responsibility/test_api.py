import datetime

import pytest

from apps.core.periods import Period
from apps.responsibility import services
from tests.factories.responsibility import make_ledger, make_meeting, make_problem, make_task, system_user
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def data(tree, users):
    ledger = make_ledger(tree.branch_a)
    return {
        "tasks": make_task(tree.branch_a),
        "problems": make_problem(tree.branch_a),
        "rectifications": make_problem(tree.branch_a).rectification,
        "duties": services.duty_create(
            acting_user=system_user(),
            organization=tree.branch_a,
            year=TODAY.year,
            person_name="x",
            post="deputy",
            duties="y",
        ),
        "ledgers": ledger,
        "meetings": make_meeting(ledger),
        "issuances": services.items_issue(
            acting_user=system_user(),
            issuer=tree.street_a,
            item_type="task",
            year=TODAY.year,
            title="t",
            payload={},
            due_date=TODAY,
            roots=[tree.branch_a],
        ),
    }


ENDPOINTS = ["tasks", "problems", "duties", "rectifications", "ledgers", "meetings", "issuances"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_sibling_gets_404_on_detail_and_empty_list(tree, users, data, api_for, name):
    api = api_for(users.district_b_staff)
    assert api.get(f"/api/v1/responsibility/{name}/{data[name].pk}/").status_code == 404
    resp = api.get(f"/api/v1/responsibility/{name}/")
    assert resp.status_code == 200 and resp.json()["count"] == 0
    assert api_for(users.district_staff).get(f"/api/v1/responsibility/{name}/{data[name].pk}/").status_code == 200


@pytest.mark.parametrize("name", ["tasks", "problems", "duties", "rectifications", "ledgers", "meetings"])
def test_secretary_b_gets_404(tree, users, data, api_for, name):
    resp = api_for(users.secretary_b).get(f"/api/v1/responsibility/{name}/{data[name].pk}/")
    assert resp.status_code == 404


def _rows(tree, n, skip):
    start = Period.current().shift(-n - skip)
    for i in range(n):
        make_task(tree.branch_a)
        make_problem(tree.branch_a)
        services.duty_create(
            acting_user=system_user(), organization=tree.branch_a, year=2026, person_name="x", post="deputy", duties="y"
        )
        ledger = make_ledger(tree.branch_a, start.shift(i))
        make_meeting(ledger)
        services.items_issue(
            acting_user=system_user(),
            issuer=tree.street_a,
            item_type="duty",
            year=2026,
            title="t",
            payload={"post": "deputy"},
            roots=[tree.branch_a],
        )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_list_query_count_constant(tree, users, api_for, name):
    api = api_for(users.district_staff)
    url = f"/api/v1/responsibility/{name}/"
    _rows(tree, 3, 27)
    few, _r = count_queries(lambda: api.get(url), warm=True)
    _rows(tree, 27, 0)
    many, resp = count_queries(lambda: api.get(url))
    assert resp.json()["count"] >= 30
    assert few == many <= 8


def test_api_submit_review_and_signoff(tree, users, api_for, data):
    ledger = data["ledgers"]
    resp = api_for(users.secretary_b).post(f"/api/v1/responsibility/ledgers/{ledger.pk}/submit/")
    assert resp.status_code == 404
    assert api_for(users.secretary_a).post(f"/api/v1/responsibility/ledgers/{ledger.pk}/submit/").status_code == 200
    resp = api_for(users.secretary_a).post("/api/v1/responsibility/meetings/", {})
    assert resp.status_code == 405
    resp = api_for(users.street_staff).post(f"/api/v1/responsibility/ledgers/{ledger.pk}/review/", {"approve": False})
    assert resp.status_code == 400 and "退回原因" in resp.json()["comment"][0]
    resp = api_for(users.street_staff).post(f"/api/v1/responsibility/ledgers/{ledger.pk}/review/", {"approve": True})
    assert resp.json()["status"] == "approved"
    rect = data["rectifications"]
    services.rectification_complete(acting_user=users.secretary_a, rectification=rect)
    resp = api_for(users.secretary_a).post(
        f"/api/v1/responsibility/rectifications/{rect.pk}/signoff/", {"approve": True, "comment": "x"}
    )
    assert resp.status_code == 403
    resp = api_for(users.district_staff).post(
        f"/api/v1/responsibility/rectifications/{rect.pk}/signoff/", {"approve": True, "comment": "同意"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "signed_off"


def test_api_compliance_and_rollup(tree, users, api_for, data):
    resp = api_for(users.secretary_a).get(f"/api/v1/responsibility/ledgers/{data['ledgers'].pk}/compliance/")
    assert resp.status_code == 200 and any(g["kind"] == "theme_day" for g in resp.json())
    resp = api_for(users.street_staff).get(f"/api/v1/responsibility/issuances/{data['issuances'].pk}/rollup/")
    assert resp.json()["totals"]["total"] == 1


def test_secretary_reports_progress_through_the_api(tree, users, api_for, data):
    task, rect = data["tasks"], data["rectifications"]
    resp = api_for(users.secretary_a).post(
        f"/api/v1/responsibility/tasks/{task.pk}/progress/", {"status": "done", "evidence": "会议记录"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    resp = api_for(users.secretary_a).post(
        f"/api/v1/responsibility/rectifications/{rect.pk}/progress/", {"month": "2026-01", "content": "已整改"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "in_progress"
    resp = api_for(users.leader).post(f"/api/v1/responsibility/tasks/{task.pk}/progress/", {"status": "pending"})
    assert resp.status_code == 403
    resp = api_for(users.secretary_b).post(f"/api/v1/responsibility/tasks/{task.pk}/progress/", {"status": "pending"})
    assert resp.status_code == 404
