import datetime

import pytest

from apps.members.appraisal import appraisal_open
from apps.members.contact import contact_scan
from apps.members.contact_models import ContactReview
from apps.members.mobility import mobility_start
from apps.members.points import points_add_manual
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_appraisal_api_opens_decides_and_enforces_the_cap(tree, users, api_for):
    members = [make_member(tree.branch_a) for _ in range(3)]
    api = api_for(users.secretary_a)
    r = api.post(
        "/api/v1/members/appraisals/", {"organization": tree.branch_a.pk, "year": TODAY.year - 1}, format="json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    levels = {str(m.pk): "excellent" for m in members[:2]} | {str(members[2].pk): "qualified"}
    r = api.post(
        f"/api/v1/members/appraisals/{pk}/decide/", {"levels": levels, "meeting_on": str(TODAY)}, format="json"
    )
    assert r.status_code == 400 and "最多评1名优秀" in str(r.json())
    levels[str(members[1].pk)] = "qualified"
    r = api.post(
        f"/api/v1/members/appraisals/{pk}/decide/", {"levels": levels, "meeting_on": str(TODAY)}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "decided"


def test_points_api_adds_manual_entries_with_reason(tree, users, api_for):
    m = make_member(tree.branch_a)
    api = api_for(users.secretary_a)
    r = api.post(
        "/api/v1/members/points/", {"member": m.pk, "points": 3, "reason": "", "occurred_on": str(TODAY)}, format="json"
    )
    assert r.status_code == 400
    r = api.post(
        "/api/v1/members/points/",
        {"member": m.pk, "points": 3, "reason": "帮扶困难群众", "occurred_on": str(TODAY)},
        format="json",
    )
    assert r.status_code == 201
    assert api.get("/api/v1/members/points/").json()["count"] == 1


def test_contact_review_api_decides(tree, users, api_for):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    contact_scan(today=TODAY)
    review = ContactReview.objects.get(member=m)
    api = api_for(users.secretary_a)
    assert api.get("/api/v1/members/contact-reviews/?open=1").json()["count"] == 1
    r = api.post(
        f"/api/v1/members/contact-reviews/{review.pk}/decide/",
        {"decision": "restored", "committee_on": str(TODAY)},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert api.get("/api/v1/members/contact-reviews/?open=1").json()["count"] == 0


def test_mobility_api_registers_an_outflow(tree, users, api_for):
    m = make_member(tree.branch_a)
    r = api_for(users.secretary_a).post(
        "/api/v1/members/mobility/",
        {
            "member": m.pk,
            "direction": "outflow",
            "place": "浙江省杭州市",
            "starts_on": str(TODAY),
            "certificate_no": "LD001",
        },
        format="json",
    )
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("url", ["appraisals", "points", "contact-reviews", "mobility"])
def test_sibling_branch_is_refused_in_the_yearly_api(tree, users, api_for, url):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    objs = {
        "appraisals": lambda: appraisal_open(
            acting_user=users.secretary_a, organization=tree.branch_a, year=TODAY.year - 1
        ),
        "points": lambda: points_add_manual(
            acting_user=users.secretary_a, member=m, points=2, reason="x", occurred_on=TODAY
        ),
        "contact-reviews": lambda: (contact_scan(today=TODAY), ContactReview.objects.get())[1],
        "mobility": lambda: mobility_start(
            acting_user=users.secretary_a, member=m, direction="outflow", place="北京", starts_on=TODAY
        ),
    }
    obj = objs[url]()
    sibling = api_for(users.secretary_b)
    assert sibling.get(f"/api/v1/members/{url}/").json()["count"] == 0
    assert sibling.get(f"/api/v1/members/{url}/{obj.pk}/").status_code == 404
    own = api_for(users.secretary_a)
    assert own.get(f"/api/v1/members/{url}/{obj.pk}/").status_code == 200
