"""The API's write operations on appeals (申诉) and duty reports (述职): the same services as the pages, scoped
(a sibling organization is refused), errors naming the field."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assessment import services
from apps.assessment.models import Appeal, AssessmentResult, DutyReport, ItemScore
from apps.core.audit import AuditLog
from tests.factories.assessment import make_simple_plan

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = datetime.date.today().year
TEXT = "一年来，支部认真落实党建工作责任制，推进各项工作。" * 2


@pytest.fixture
def published(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(staff, tree.district_a, grading_method="thresholds", advanced_min_score=D(60),
                                 lagging_below_score=D(30))  # fmt: skip
    services.plan_start_scoring(acting_user=staff, plan=plan)
    for org, pts in ((tree.branch_a, 55), (tree.branch_b, 20)):
        result = AssessmentResult.objects.get(plan=plan, organization=org)
        services.rater_score_set(acting_user=staff, result=result, indicator=ind["raters"], points=D(pts))
    services.plan_compute(acting_user=staff, plan=plan)
    plan = services.plan_publish(acting_user=staff, plan=plan)
    return plan, ind


def _result(plan, org):
    return AssessmentResult.objects.get(plan=plan, organization=org)


def test_appeal_submit_and_answer_through_the_api(tree, users, api_for, published):
    plan, ind = published
    b = _result(plan, tree.branch_b)
    resp = api_for(users.secretary_b).post("/api/v1/assessment/appeals/", {
        "result": b.pk, "indicator": ind["raters"].pk, "reason": "评委漏看了我支部的阵地建设台账"}, format="json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "open" and body["indicator"] == ind["raters"].pk
    appeal = Appeal.objects.get(pk=body["id"])
    assert AuditLog.objects.filter(event="appeal.create", object_id=str(appeal.pk)).exists()
    # the appellant cannot answer its own appeal
    own = api_for(users.secretary_b).post(f"/api/v1/assessment/appeals/{appeal.pk}/answer/",
                                          {"accept": True, "answer": "同意"}, format="json")  # fmt: skip
    assert own.status_code in (400, 403)
    missing = api_for(users.district_staff).post(f"/api/v1/assessment/appeals/{appeal.pk}/answer/",
                                                 {"answer": "经核实"}, format="json")  # fmt: skip
    assert missing.status_code == 400 and "accept" in missing.json()
    resp = api_for(users.district_staff).post(f"/api/v1/assessment/appeals/{appeal.pk}/answer/", {
        "accept": True, "answer": "经核实，予以调整", "new_points": "58"}, format="json")  # fmt: skip
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "accepted" and D(resp.json()["points_after"]) == D(58)
    score = ItemScore.objects.get(result=b, indicator=ind["raters"])
    assert score.points == D(58) and score.adjusted_by_appeal
    b.refresh_from_db()
    assert b.total == D(58) and b.rank == 1


def test_appeal_api_refuses_sibling_and_bad_input(tree, users, api_for, published):
    plan, ind = published
    a = _result(plan, tree.branch_a)
    api_b = api_for(users.secretary_b)
    # the ranking is public after publishing, but only the organization itself may appeal its result
    resp = api_b.post("/api/v1/assessment/appeals/", {"result": a.pk, "reason": "不服"}, format="json")
    assert resp.status_code == 403
    blank = api_b.post("/api/v1/assessment/appeals/", {"result": _result(plan, tree.branch_b).pk, "reason": ""},
                       format="json")  # fmt: skip
    assert blank.status_code == 400 and "reason" in blank.json()
    # an appeal of branch A is invisible to branch B (404) and cannot be answered by it
    appeal = services.appeal_submit(acting_user=users.secretary_a, result=a, reason="不服", indicator=ind["raters"])
    assert api_b.get(f"/api/v1/assessment/appeals/{appeal.pk}/").status_code == 404
    resp = api_b.post(f"/api/v1/assessment/appeals/{appeal.pk}/answer/", {"accept": False, "answer": "x"},
                      format="json")  # fmt: skip
    assert resp.status_code == 404
    # another district's staff cannot see or answer it either
    other = api_for(users.district_b_staff).post(f"/api/v1/assessment/appeals/{appeal.pk}/answer/",
                                                 {"accept": False, "answer": "x"}, format="json")  # fmt: skip
    assert other.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_appeal_api_refused_before_publish_for_sibling_result(tree, users, api_for):
    staff = users.district_staff
    plan, _ind = make_simple_plan(staff, tree.district_a)
    services.plan_start_scoring(acting_user=staff, plan=plan)
    a = _result(plan, tree.branch_a)
    resp = api_for(users.secretary_b).post("/api/v1/assessment/appeals/", {"result": a.pk, "reason": "不服"},
                                           format="json")  # fmt: skip
    assert resp.status_code == 404
    assert not Appeal.objects.exists()


def test_duty_report_submit_and_review_through_the_api(tree, users, api_for):
    api_a = api_for(users.secretary_a)
    pdf = SimpleUploadedFile("述职.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    resp = api_a.post("/api/v1/assessment/duty-reports/", {
        "year": YEAR, "reporter_name": "张建国", "title": "述职报告", "text": TEXT, "attachment": pdf,
        "submit": "true"}, format="multipart")  # fmt: skip
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "submitted" and body["attachment_name"].endswith(".pdf")
    report = DutyReport.objects.get(pk=body["id"])
    assert report.organization_id == tree.branch_a.pk
    # rewriting the same year's report before review: 200, same row
    again = api_a.post("/api/v1/assessment/duty-reports/", {
        "year": YEAR, "reporter_name": "张建国", "title": "述职报告（修改）", "text": TEXT, "submit": True},
        format="json")  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == report.pk
    # the branch cannot review its own report; its sibling cannot even see it
    assert api_a.post(
        f"/api/v1/assessment/duty-reports/{report.pk}/review/",
        {"good": 9, "fair": 1, "average": 0, "poor": 0},
        format="json",
    ).status_code in (400, 403)
    sib = api_for(users.secretary_b).post(
        f"/api/v1/assessment/duty-reports/{report.pk}/review/",
        {"good": 9, "fair": 1, "average": 0, "poor": 0},
        format="json",
    )
    assert sib.status_code == 404
    neg = api_for(users.street_staff).post(
        f"/api/v1/assessment/duty-reports/{report.pk}/review/",
        {"good": -1, "fair": 1, "average": 0, "poor": 0},
        format="json",
    )
    assert neg.status_code == 400 and "good" in neg.json()
    resp = api_for(users.street_staff).post(f"/api/v1/assessment/duty-reports/{report.pk}/review/",
                                            {"good": 9, "fair": 1, "average": 0, "poor": 0, "comment": "较好"},
                                            format="json")  # fmt: skip
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "reviewed" and resp.json()["rating"] == "good"
    # reviewed: no more rewriting
    late = api_a.post("/api/v1/assessment/duty-reports/", {
        "year": YEAR, "reporter_name": "张建国", "title": "再改", "text": TEXT}, format="json")  # fmt: skip
    assert late.status_code == 400


def test_duty_report_api_names_the_field(tree, users, api_for):
    resp = api_for(users.secretary_a).post("/api/v1/assessment/duty-reports/", {
        "year": YEAR, "reporter_name": "", "title": "述职报告", "text": "短"}, format="json")  # fmt: skip
    assert resp.status_code == 400 and "reporter_name" in resp.json()
    resp = api_for(users.secretary_a).post("/api/v1/assessment/duty-reports/", {
        "year": YEAR, "reporter_name": "张建国", "title": "述职报告", "text": "短", "submit": True}, format="json")  # fmt: skip
    assert resp.status_code == 400 and "text" in resp.json()
    assert not DutyReport.objects.exists()


def test_new_write_endpoints_are_in_the_schema(api_for, users):
    schema = api_for(users.district_staff).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/assessment/appeals/"]
    assert "post" in paths["/api/v1/assessment/appeals/{id}/answer/"]
    assert "post" in paths["/api/v1/assessment/duty-reports/"]
    assert "post" in paths["/api/v1/assessment/duty-reports/{id}/review/"]
    body = paths["/api/v1/assessment/duty-reports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body
