"""Problems found on the spot during observation scoring become problem items with rectification notices, the
same way inspection findings do; scoped in pages and API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.responsibility.models import ProblemItem, Rectification
from apps.supervision import observation_scoring as scoring
from apps.supervision.models import ObservationVisit
from apps.supervision.observation_findings import observation_finding_create
from apps.supervision.observation_models import ObservationFinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(tree, users):
    v = ObservationVisit.objects.create(organization=tree.street_a, title="逐社观摩", period="2026-11",
                                        visit_on=datetime.date.today())  # fmt: skip
    scoring.observation_targets_set(acting_user=users.street_staff, visit=v, organizations=[tree.branch_a,
                                                                                           tree.branch_b])  # fmt: skip
    return v


def test_finding_becomes_a_problem_item_with_its_rectification(tree, users, visit):
    due = datetime.date.today() + datetime.timedelta(days=30)
    finding = observation_finding_create(acting_user=users.street_staff, visit=visit, target=tree.branch_a,
                                         category="阵地建设", description="活动室制度未上墙", severity="major",
                                         rectify_by=due)  # fmt: skip
    problem = ProblemItem.objects.get(pk=finding.problem_id)
    assert finding.problem_ref == f"responsibility.problemitem:{problem.pk}"
    assert (problem.organization_id, problem.source, problem.severity) == (tree.branch_a.pk, "observation", "serious")
    assert "活动室制度未上墙" in problem.description and "逐社观摩" in problem.description
    rect = Rectification.objects.get(problem=problem)
    assert rect.deadline == due and rect.organization_id == tree.branch_a.pk


def test_finding_checks_route_fields_and_scope(tree, users, visit):
    with pytest.raises(ValidationError) as exc:
        observation_finding_create(acting_user=users.street_staff, visit=visit, target=tree.branch_a, category="",
                                   description="")  # fmt: skip
    assert set(exc.value.message_dict) == {"category", "description"}
    with pytest.raises(ValidationError) as exc:
        observation_finding_create(acting_user=users.street_staff, visit=visit, target=tree.group_a, category="c",
                                   description="d")  # fmt: skip
    assert "target" in exc.value.message_dict
    # a branch secretary (the observed sibling) cannot record findings about another branch
    with pytest.raises(PermissionDenied):
        observation_finding_create(acting_user=users.secretary_b, visit=visit, target=tree.branch_a, category="c",
                                   description="d")  # fmt: skip
    assert not ObservationFinding.objects.exists() and not ProblemItem.objects.exists()


def test_rater_phone_page_records_a_finding(tree, users, client_for, visit):
    client = client_for(users.street_staff)
    url = reverse("supervision:observation_finding_create", args=[visit.pk, tree.branch_a.pk])
    bad = client.post(url, {"category": "台账", "description": "三会一课记录不全", "rectify_by": "明天"})
    assert bad.status_code == 200 and "整改期限：请填写有效日期" in bad.content.decode()
    bad = client.post(url, {"category": "台账", "description": ""})
    assert bad.status_code == 200 and "请填写问题描述" in bad.content.decode()
    assert not ObservationFinding.objects.exists()
    resp = client.post(url, {"category": "台账", "description": "三会一课记录不全", "severity": "minor"})
    assert resp.status_code == 302
    page = client.get(reverse("supervision:observation_rate_target", args=[visit.pk, tree.branch_a.pk]))
    assert "三会一课记录不全" in page.content.decode() and "问题清单与整改通知" in page.content.decode()
    assert ProblemItem.objects.filter(organization=tree.branch_a, source="observation").count() == 1
    # the sibling branch cannot open the page nor post to it
    assert client_for(users.secretary_b).post(url, {"category": "c", "description": "d"}).status_code in (403, 404)
    assert ObservationFinding.objects.count() == 1


def test_findings_api_records_and_hides_siblings(tree, users, api_for, visit):
    api = api_for(users.street_staff)
    resp = api.post("/api/v1/observation-findings/", {
        "visit": visit.pk, "target": tree.branch_b.pk, "category": "组织生活", "description": "主题党日形式单一"},
        format="json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["problem"] and body["severity_display"] == "一般"
    bad = api.post("/api/v1/observation-findings/", {
        "visit": visit.pk, "target": tree.branch_b.pk, "category": "c", "description": "d", "severity": "huge"},
        format="json")  # fmt: skip
    assert bad.status_code == 400 and "severity" in bad.json()
    # branch B's own secretary sees its finding; branch A's does not; another district cannot post
    assert [r["id"] for r in api_for(users.secretary_b).get("/api/v1/observation-findings/")
            .json()["results"]] == [body["id"]]  # fmt: skip
    assert api_for(users.secretary_a).get("/api/v1/observation-findings/").json()["results"] == []
    assert api_for(users.secretary_a).get(f"/api/v1/observation-findings/{body['id']}/").status_code == 404
    other = api_for(users.district_b_staff).post("/api/v1/observation-findings/", {
        "visit": visit.pk, "target": tree.branch_b.pk, "category": "c", "description": "d"}, format="json")  # fmt: skip
    assert other.status_code == 404
