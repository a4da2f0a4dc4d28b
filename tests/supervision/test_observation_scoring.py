from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.supervision import observation_scoring as scoring
from apps.supervision.models import ObservationScore, ObservationVisit
from tests.factories.accounts import make_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def visit(tree, users):
    v = ObservationVisit.objects.create(organization=tree.street_a, title="逐社观摩", period="2026-11")
    scoring.observation_targets_set(acting_user=users.street_staff, visit=v, organizations=[tree.branch_a,
                                                                                           tree.branch_b])  # fmt: skip
    return v


def _rate(user, visit, target, values):
    dims = list(visit.dimensions.all())
    return scoring.observation_rating_set(acting_user=user, visit=visit, target=target,
                                          points={d.pk: D(v) for d, v in zip(dims, values, strict=True)})  # fmt: skip


def test_default_sheet_has_the_five_areas(visit):
    scoring.sheet_for(visit)
    assert [d.name for d in visit.dimensions.all()] == ["党建基础", "组织建设", "党员管理", "活动开展", "工作保障"]


def test_three_raters_rank_the_visit_and_ties_share_a_rank(tree, users, visit):
    raters = [users.street_staff, users.district_staff, make_user(tree.street_a, "committee_staff")]
    for rater, a, b in zip(raters, (18, 16, 17), (17, 17, 17), strict=True):
        _rate(rater, visit, tree.branch_a, [a] * 5)
        _rate(rater, visit, tree.branch_b, [b] * 5)
    ranking = scoring.observation_visit_ranking(user=users.street_staff, visit=visit)
    assert [(r["target"].pk, r["rank"], r["mean"], r["raters"]) for r in ranking] == [
        (tree.branch_a.pk, 1, D("85.0"), 3),
        (tree.branch_b.pk, 1, D("85.0"), 3),
    ]
    assert ObservationScore.objects.get(visit=visit, target=tree.branch_a).score == D("85.0")
    results = scoring.observation_visit_results(visit_id=visit.pk)
    assert results[tree.branch_a.pk][1] == D("0.85")


def test_rating_checks_each_dimension_range_and_the_route(tree, users, visit):
    with pytest.raises(ValidationError) as exc:
        _rate(users.street_staff, visit, tree.branch_a, [25, 10, 10, 10, 10])
    assert "党建基础" in str(exc.value)
    with pytest.raises(ValidationError):
        _rate(users.street_staff, visit, tree.group_a, [10] * 5)


def test_sheet_editable_until_someone_scores(tree, users, visit):
    scoring.observation_sheet_set(acting_user=users.street_staff, visit=visit, visit_type="cross",
                                  dimensions=[("阵地", D(50)), ("活动", D(50))])  # fmt: skip
    assert scoring.sheet_for(visit).visit_type == "cross" and scoring.max_total(visit) == D(100)
    _rate(users.street_staff, visit, tree.branch_a, [40, 45])
    with pytest.raises(ValidationError):
        scoring.observation_sheet_set(acting_user=users.street_staff, visit=visit, visit_type="cross",
                                      dimensions=[("阵地", D(60)), ("活动", D(40))])  # fmt: skip


def test_sibling_branch_cannot_open_the_rating_pages(tree, users, client_for, visit):
    client = client_for(users.secretary_b)
    assert client.get(reverse("supervision:observation_rate", args=[visit.pk])).status_code in (403, 404)
    other = client_for(users.district_b_staff)
    assert other.get(reverse("supervision:observation_rate", args=[visit.pk])).status_code == 404


def test_rater_page_posts_a_sheet(tree, users, client_for, visit):
    client = client_for(users.street_staff)
    scoring.sheet_for(visit)
    dims = list(visit.dimensions.all())
    url = reverse("supervision:observation_rate_target", args=[visit.pk, tree.branch_a.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {f"dim_{d.pk}": "30" for d in dims})
    assert bad.status_code == 200 and "应在0到" in bad.content.decode()
    ok = client.post(url, {**{f"dim_{d.pk}": "15" for d in dims}, "comment": "阵地规范"})
    assert ok.status_code == 302
    page = client.get(reverse("supervision:observation_rate", args=[visit.pk])).content.decode()
    assert "75" in page


def test_sheet_page_sets_type_dimensions_and_route(tree, users, client_for, visit):
    client = client_for(users.street_staff)
    url = reverse("supervision:observation_sheet", args=[visit.pk])
    resp = client.post(url, {"visit_type": "demonstration", "dimensions": "党建基础 30\n组织建设 70",
                             "targets": f"{tree.branch_b.code}\nNOPE"})  # fmt: skip
    assert resp.status_code == 200 and "NOPE" in resp.content.decode()
    resp = client.post(url, {"visit_type": "demonstration", "dimensions": "党建基础 30\n组织建设 70",
                             "targets": tree.branch_b.code})  # fmt: skip
    assert resp.status_code == 302
    assert [t.organization_id for t in visit.targets.all()] == [tree.branch_b.pk]


def test_ratings_api_scores_and_hides_other_districts(tree, users, api_for, visit):
    scoring.sheet_for(visit)
    dims = list(visit.dimensions.all())
    api = api_for(users.street_staff)
    resp = api.post("/api/v1/observation-ratings/", {"visit": visit.pk, "target": tree.branch_a.pk,
                    "points": {str(d.pk): "16" for d in dims}}, format="json")  # fmt: skip
    assert resp.status_code == 201 and resp.json()["total"] == "80.0"
    assert len(api.get("/api/v1/observation-ratings/", {"visit": visit.pk}).json()["results"]) == 1
    other = api_for(users.district_b_staff)
    assert other.get("/api/v1/observation-ratings/").json()["results"] == []
