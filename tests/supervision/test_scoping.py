"""Sibling organizations never see each other's letters, inspections, findings or accountability cases."""

import pytest
from django.urls import reverse

from apps.supervision.models import Accountability, Finding, InspectionRecord, ObservationScore, ObservationVisit
from tests.factories.supervision import make_letter, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs(tree):
    letter = make_letter(tree.street_a, tree.branch_a)
    plan = make_plan(tree.street_a, tree.branch_a)
    record = InspectionRecord.objects.get(plan=plan)
    finding = Finding.objects.create(record=record, org_path=record.org_path, category="台账", description="记录不全")
    acc = Accountability.objects.create(
        issuer=tree.street_a,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        period="2026-11",
        basis="两次预警",
    )
    visit = ObservationVisit.objects.create(organization=tree.street_a, title="甲支部阵地观摩", period="2026-11")
    ObservationScore.objects.create(visit=visit, target=tree.branch_a, org_path=tree.branch_a.path, score=90)
    return dict(letter=letter, plan=plan, record=record, finding=finding, acc=acc, visit=visit)


PAGES = [
    ("supervision:letter_detail", "letter"),
    ("supervision:letter_print", "letter"),
    ("supervision:record_detail", "record"),
    ("supervision:accountability_detail", "acc"),
]
APIS = [
    ("letters", "letter"),
    ("inspection-records", "record"),
    ("findings", "finding"),
    ("accountabilities", "acc"),
]


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_sibling_branch_secretary_gets_404_on_page(tree, users, objs, client_for, name, key):
    resp = client_for(users.secretary_b).get(reverse(name, args=[objs[key].pk]))
    assert resp.status_code == 404
    own = client_for(users.secretary_a).get(reverse(name, args=[objs[key].pk]))
    assert own.status_code == 200


@pytest.mark.parametrize(
    ("name", "key"), [("supervision:inspection_detail", "plan"), ("supervision:observation_detail", "visit")]
)
def test_other_district_staff_gets_404_on_plan_pages(tree, users, objs, client_for, name, key):
    assert client_for(users.district_b_staff).get(reverse(name, args=[objs[key].pk])).status_code == 404
    assert client_for(users.district_staff).get(reverse(name, args=[objs[key].pk])).status_code == 200


@pytest.mark.parametrize(("prefix", "key"), APIS)
def test_sibling_gets_404_on_api_detail(tree, users, objs, api_for, prefix, key):
    assert api_for(users.secretary_b).get(f"/api/v1/{prefix}/{objs[key].pk}/").status_code == 404
    assert api_for(users.secretary_a).get(f"/api/v1/{prefix}/{objs[key].pk}/").status_code == 200


@pytest.mark.parametrize(("prefix", "key"), [*APIS, ("inspections", "plan")])
def test_api_lists_exclude_out_of_scope_rows(tree, users, objs, api_for, prefix, key):
    rows = api_for(users.district_b_staff).get(f"/api/v1/{prefix}/").json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert objs[key].pk not in [r["id"] for r in rows]
    rows = api_for(users.district_staff).get(f"/api/v1/{prefix}/").json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert objs[key].pk in [r["id"] for r in rows]


@pytest.mark.parametrize(
    ("name", "text"),
    [("supervision:letter_list", "甲支部"), ("supervision:accountability_list", "甲支部"),
     ("supervision:inspection_list", "基层党建专项督查"), ("supervision:observation_list", "甲支部阵地观摩")],
)  # fmt: skip
def test_list_pages_exclude_out_of_scope_rows(tree, users, objs, client_for, name, text):
    assert text in client_for(users.district_staff).get(reverse(name)).content.decode()
    assert text not in client_for(users.district_b_staff).get(reverse(name)).content.decode()


def test_sibling_cannot_answer_or_close(tree, users, objs, client_for, api_for):
    letter = objs["letter"]
    assert (
        client_for(users.secretary_b)
        .post(reverse("supervision:letter_answer", args=[letter.pk]), {"answer": "x"})
        .status_code
        == 404
    )
    assert api_for(users.secretary_b).post(f"/api/v1/letters/{letter.pk}/answer/", {"answer": "x"}).status_code == 404
    assert api_for(users.district_b_staff).post(f"/api/v1/letters/{letter.pk}/close/", {"note": "x"}).status_code == 404
    letter.refresh_from_db()
    assert letter.status == "sent"


def test_branch_secretary_cannot_write_letters(tree, users, client_for):
    assert client_for(users.secretary_a).get(reverse("supervision:letter_create")).status_code == 403


def test_bulletin_for_an_issuer_out_of_scope_is_404(tree, users, client_for):
    resp = client_for(users.district_b_staff).get(reverse("supervision:bulletin"), {"issuer": tree.district_a.code})
    assert resp.status_code == 404


def test_nav_shows_inspections_and_letters_to_staff_and_letters_only_to_secretaries(tree, users, client_for):
    staff_html = client_for(users.district_staff).get(reverse("supervision:letter_list")).content.decode()
    assert 'href="/supervision/"' in staff_html
    assert users.leader.has_perm("supervision.view_inspection")
    sec_html = client_for(users.secretary_a).get(reverse("supervision:letter_list")).content.decode()
    assert 'href="/supervision/letters/"' in sec_html and 'href="/supervision/"' not in sec_html
    assert not users.secretary_a.has_perm("supervision.view_inspection")
