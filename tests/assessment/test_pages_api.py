import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.assessment import services
from apps.assessment.models import AssessmentResult
from tests.factories.assessment import make_simple_plan
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scored(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(staff, tree.district_a, year=datetime.date.today().year)
    services.plan_start_scoring(acting_user=staff, plan=plan)
    for org, pts in ((tree.branch_a, 50), (tree.branch_b, 30)):
        result = AssessmentResult.objects.get(plan=plan, organization=org)
        services.rater_score_set(acting_user=staff, result=result, indicator=ind["raters"], points=D(pts))
    services.plan_compute(acting_user=staff, plan=plan)
    plan.refresh_from_db()
    return plan, ind


def _result(plan, org):
    return AssessmentResult.objects.get(plan=plan, organization=org)


def test_staff_pages_render(tree, users, client_for, scored):
    plan, _ind = scored
    client = client_for(users.district_staff)
    for url in (
        reverse("assessment:plan_list"),
        plan.get_absolute_url(),
        reverse("assessment:ranking", args=[plan.pk]),
        reverse("assessment:ranking_print", args=[plan.pk]),
        _result(plan, tree.branch_a).get_absolute_url(),
        reverse("assessment:dutyreport_list"),
        reverse("assessment:appeal_list"),
        reverse("assessment:plan_create"),
        reverse("assessment:indicator_create", args=[plan.pk]),
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert b"---------" not in resp.content and b"<style" not in resp.content


def test_sibling_cannot_see_scores_before_publish_in_pages(tree, users, client_for, scored):
    plan, _ind = scored
    client = client_for(users.secretary_b)
    assert client.get(_result(plan, tree.branch_a).get_absolute_url()).status_code == 404
    assert client.get(_result(plan, tree.branch_b).get_absolute_url()).status_code == 200
    ranking = client.get(reverse("assessment:ranking", args=[plan.pk])).content.decode()
    assert "乙支部" in ranking and "甲支部" not in ranking
    xlsx = client.get(reverse("assessment:ranking", args=[plan.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200 and "甲支部".encode() not in _xlsx_text(xlsx.content)


def _xlsx_text(content):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    return " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value).encode()


def test_sibling_cannot_see_scores_before_publish_in_api(tree, users, api_for, scored):
    plan, _ind = scored
    api = api_for(users.secretary_b)
    rows = api.get("/api/v1/assessment/results/", {"plan": plan.pk}).json()["results"]
    assert [r["organization_name"] for r in rows] == ["乙支部"]
    assert api.get(f"/api/v1/assessment/results/{_result(plan, tree.branch_a).pk}/").status_code == 404
    assert api.get("/api/v1/assessment/scores/").status_code == 403  # secretaries do not read rater scores


def test_after_publish_ranking_is_shared_but_sheets_stay_private(tree, users, client_for, api_for, scored):
    plan, _ind = scored
    services.plan_publish(acting_user=users.district_staff, plan=plan)
    client = client_for(users.secretary_b)
    ranking = client.get(reverse("assessment:ranking", args=[plan.pk])).content.decode()
    assert "甲支部" in ranking and "乙支部" in ranking
    assert client.get(_result(plan, tree.branch_a).get_absolute_url()).status_code == 404
    detail = api_for(users.secretary_b).get(f"/api/v1/assessment/results/{_result(plan, tree.branch_a).pk}/").json()
    assert "items" not in detail and detail["total"]


def test_other_district_sees_nothing(tree, users, client_for, api_for, scored):
    plan, _ind = scored
    assert client_for(users.district_b_staff).get(plan.get_absolute_url()).status_code == 404
    assert api_for(users.district_b_staff).get(f"/api/v1/assessment/plans/{plan.pk}/").status_code == 404


def test_draft_plan_invisible_to_assessed_branch(tree, users, client_for):
    plan, _ind = make_simple_plan(users.district_staff, tree.district_a)
    assert client_for(users.secretary_a).get(plan.get_absolute_url()).status_code == 404


def test_rater_scores_through_the_page_and_api(tree, users, client_for, api_for, scored):
    plan, ind = scored
    result = _result(plan, tree.branch_a)
    client = client_for(users.street_staff)
    # the street committee is below the issuing district: it cannot score the district's plan
    resp = client.post(reverse("assessment:result_score", args=[result.pk, "rater"]),
                       {"indicator": ind["raters"].pk, "points": "40"})  # fmt: skip
    assert resp.status_code in (302, 403)
    client = client_for(users.city_staff)
    resp = client.post(reverse("assessment:result_score", args=[result.pk, "rater"]),
                       {"indicator": ind["raters"].pk, "points": "40", "evidence": "查阅资料"})  # fmt: skip
    assert resp.status_code == 302
    api = api_for(users.district_staff)
    created = api.post("/api/v1/assessment/scores/", {"result": result.pk, "indicator": ind["raters"].pk,
                                                      "points": "45"}, format="json")  # fmt: skip
    assert created.status_code == 201
    bad = api.post("/api/v1/assessment/scores/", {"result": result.pk, "indicator": ind["raters"].pk,
                                                  "points": "99"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "points" in bad.json()
    assert result.rater_scores.count() == 2


def test_plan_workflow_buttons(tree, users, client_for, scored):
    plan, _ind = scored
    client = client_for(users.district_staff)
    assert client.post(reverse("assessment:plan_action", args=[plan.pk, "compute"])).status_code == 302
    assert client.post(reverse("assessment:plan_action", args=[plan.pk, "publish"])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "published"
    resp = client.post(reverse("assessment:plan_action", args=[plan.pk, "copy"]), {"year": plan.year + 1})
    assert resp.status_code == 302 and "/assessment/plans/" in resp["Location"]


def _count(fn):
    fn()
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def test_ranking_and_api_query_counts_do_not_grow_with_rows(tree, users, client_for, api_for):
    staff = users.district_staff

    def build(n):
        for _ in range(n):
            make_org(tree.street_a, kind="branch")
        plan, _ind = make_simple_plan(staff, tree.district_a, title=f"方案{n}")
        services.plan_start_scoring(acting_user=staff, plan=plan)
        services.plan_compute(acting_user=staff, plan=plan)
        return plan

    small = build(1)  # 3 branches
    big = build(27)  # 30 branches
    client, api = client_for(staff), api_for(staff)
    pages = [lambda p=p: client.get(reverse("assessment:ranking", args=[p.pk])) for p in (small, big)]
    apis = [lambda p=p: api.get("/api/v1/assessment/results/", {"plan": p.pk}) for p in (small, big)]
    assert _count(pages[0]) == _count(pages[1]) <= 14
    assert _count(apis[0]) == _count(apis[1]) <= 8
    sheets = [lambda p=p: client.get(_result(p, tree.branch_a).get_absolute_url()) for p in (small, big)]
    assert _count(sheets[0]) == _count(sheets[1])


def test_score_sheet_exports_to_excel(tree, users, client_for, scored):
    plan, _ind = scored
    resp = client_for(users.district_staff).get(_result(plan, tree.branch_a).get_absolute_url() + "?format=xlsx")
    assert resp.status_code == 200
    text = _xlsx_text(resp.content).decode()
    assert "评分表" in text and "阵地建设" in text and "甲支部" in text


def test_duty_report_pages_secretary_writes_staff_reviews(tree, users, client_for):
    client = client_for(users.secretary_a)
    resp = client.post(reverse("assessment:dutyreport_create"), {
        "year": datetime.date.today().year, "reporter_name": "张建国", "title": "述职报告",
        "text": "一年来，支部认真落实党建工作责任制。" * 3, "submit": "on",
    })  # fmt: skip
    assert resp.status_code == 302
    from apps.assessment.models import DutyReport

    report = DutyReport.objects.get(organization=tree.branch_a)
    assert client_for(users.secretary_b).get(report.get_absolute_url()).status_code == 404
    staff = client_for(users.street_staff)
    resp = staff.post(report.get_absolute_url(), {"good": 9, "fair": 1, "average": 0, "poor": 0})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.rating == "good"
