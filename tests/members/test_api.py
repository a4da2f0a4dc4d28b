import datetime

import pytest

from apps.core.models import AuditLog
from apps.members.models import Member
from apps.members.recruitment import recruitment_create
from apps.members.transfers import transfer_approve, transfer_request
from tests.factories.members import make_id_number, make_member
from tests.factories.organizations import make_org
from tests.helpers import count_queries

LIST = "/api/v1/members/"


def _count(api, url, params=None):
    n, response = count_queries(lambda: api.get(url, params or {}))
    return n, response.json()


@pytest.mark.parametrize(
    "url,maker",
    [
        (LIST, "member"),
        ("/api/v1/recruitments/", "recruitment"),
        ("/api/v1/transfers/", "transfer"),
    ],
)
def test_api_lists_queries_do_not_grow(tree, users, api_for, url, maker):
    api = api_for(users.district_staff)

    def add(n):
        for _ in range(n):
            m = make_member(tree.branch_a)
            if maker == "recruitment":
                recruitment_create(
                    acting_user=users.district_staff,
                    organization=tree.branch_a,
                    name="申请人",
                    id_number=make_id_number(),
                    applied_on=datetime.date(2024, 1, 1),
                )
            elif maker == "transfer":
                transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_c)

    url = f"{url}?page_size=50"  # the default page (25) is smaller than the 30 rows compared here
    add(3)
    api.get(url)  # warm the user's permission cache, as in a real session after the first request
    n3, data3 = _count(api, url)
    add(27)
    n30, data30 = _count(api, url)
    assert (len(data3["results"]), len(data30["results"])) == (3, 30) or maker == "member"
    assert n3 == n30 <= 8


def test_member_api_list_masks_for_leader(tree, users, api_for):
    m = make_member(tree.branch_a, phone="13800138000")
    row = api_for(users.leader).get(LIST).json()["results"][0]
    assert row["id_number"] == m.id_masked and row["phone"] == "138****8000"


def test_member_api_list_never_decrypts_even_for_roster_admin(tree, users, api_for):
    m = make_member(tree.branch_a, phone="13800138000")
    row = api_for(users.roster_admin).get(LIST).json()["results"][0]
    assert row["id_number"] == m.id_masked and row["phone"] == "13800138000"
    assert not AuditLog.objects.filter(action="view_pii").exists()


def test_member_api_detail_full_id_for_roster_admin_is_audited(tree, users, api_for):
    m = make_member(tree.branch_a)
    data = api_for(users.roster_admin).get(f"{LIST}{m.pk}/").json()
    assert data["id_number"] == m.id_number
    assert AuditLog.objects.filter(object_id=str(m.pk), action="view_pii").count() == 1
    data = api_for(users.district_staff).get(f"{LIST}{m.pk}/").json()
    assert data["id_number"] == m.id_masked


def test_member_api_filters_same_as_page(tree, users, api_for):
    make_member(tree.branch_a, name="张伟", category="probationary")
    make_member(tree.branch_b, name="王芳")
    api = api_for(users.district_staff)
    assert [r["name"] for r in api.get(LIST, {"category": "probationary"}).json()["results"]] == ["张伟"]
    assert [r["name"] for r in api.get(LIST, {"q": "王"}).json()["results"]] == ["王芳"]
    assert [r["name"] for r in api.get(LIST, {"within": tree.branch_b.pk}).json()["results"]] == ["王芳"]
    assert api.get(LIST, {"age_min": "abc"}).status_code == 400


def test_member_api_create_returns_chinese_400(tree, users, api_for):
    response = api_for(users.district_staff).post(
        LIST, {"organization": tree.branch_a.pk, "id_number": "340524198001010013", "name": "张三"}, format="json"
    )
    assert response.status_code == 400 and "校验码" in response.json()["id_number"][0]


def test_member_api_create_and_secretary_contact_patch(tree, users, api_for):
    number = make_id_number()
    response = api_for(users.district_staff).post(
        LIST,
        {
            "organization": tree.branch_a.pk,
            "id_number": number,
            "name": "张三",
            "joined_on": "2012-07-01",
            "confirmed_on": "2013-07-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    sec = api_for(users.secretary_a)
    assert sec.patch(f"{LIST}{pk}/", {"phone": "13900139000"}, format="json").status_code == 200
    assert Member.objects.get(pk=pk).phone == "13900139000"
    response = sec.patch(f"{LIST}{pk}/", {"name": "改名", "phone": "13900139000"}, format="json")
    assert response.status_code == 400 and "只能修改" in response.json()["name"][0]
    assert Member.objects.get(pk=pk).name == "张三"
    assert (
        sec.post(LIST, {"organization": tree.branch_a.pk, "id_number": make_id_number(), "name": "x"}).status_code
        == 403
    )


def test_transfer_api_flow(tree, users, api_for):
    m = make_member(tree.branch_a)
    sender, receiver = api_for(users.district_staff), api_for(users.district_b_staff)
    response = sender.post("/api/v1/transfers/", {"member": m.pk, "to_org": tree.branch_c.pk}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert receiver.get(f"/api/v1/transfers/{pk}/").status_code == 404
    assert sender.post(f"/api/v1/transfers/{pk}/approve/", {}, format="json").status_code == 200
    assert receiver.post(f"/api/v1/transfers/{pk}/receive/").status_code == 200
    m.refresh_from_db()
    assert m.organization == tree.branch_c


def test_recruitment_api_candidate_rule_400(tree, users, api_for):
    api = api_for(users.district_staff)
    response = api.post(
        "/api/v1/recruitments/",
        {"organization": tree.branch_a.pk, "id_number": make_id_number(), "name": "赵敏", "applied_on": "2022-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    contact = make_member(tree.branch_a)
    assert (
        api.patch(
            f"/api/v1/recruitments/{pk}/", {"activist_on": "2022-03-20", "contacts": [contact.pk]}, format="json"
        ).status_code
        == 200
    )
    assert api.post(f"/api/v1/recruitments/{pk}/advance/", {"to_stage": "activist"}, format="json").status_code == 200
    response = api.patch(f"/api/v1/recruitments/{pk}/", {"candidate_on": "2023-01-01"}, format="json")
    assert response.status_code == 400
    assert "第十三条" in response.json()["candidate_on"][0]


def test_sibling_users_get_404_on_every_api_object(tree, users, api_for):
    m = make_member(tree.branch_a)
    rec = recruitment_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        name="申请人",
        id_number=make_id_number(),
        applied_on=datetime.date(2024, 1, 1),
    )
    branch_d = make_org(tree.street_a, kind="branch", name="丁支部")
    t = transfer_approve(
        acting_user=users.district_staff,
        transfer=transfer_request(acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=branch_d),
    )
    calls = [
        ("get", f"{LIST}{m.pk}/"),
        ("patch", f"{LIST}{m.pk}/"),
        ("delete", f"{LIST}{m.pk}/"),
        ("post", f"{LIST}{m.pk}/status/"),
        ("get", f"/api/v1/recruitments/{rec.pk}/"),
        ("patch", f"/api/v1/recruitments/{rec.pk}/"),
        ("post", f"/api/v1/recruitments/{rec.pk}/advance/"),
        ("get", f"/api/v1/transfers/{t.pk}/"),
        ("post", f"/api/v1/transfers/{t.pk}/approve/"),
        ("post", f"/api/v1/transfers/{t.pk}/receive/"),
        ("post", f"/api/v1/transfers/{t.pk}/return/"),
        ("post", f"/api/v1/transfers/{t.pk}/cancel/"),
    ]
    for user in (users.secretary_b, users.district_b_staff):
        api = api_for(user)
        for method, url in calls:
            status = getattr(api, method)(url, {}, format="json").status_code
            assert status in (403, 404), (user, method, url, status)
        for url in (LIST, "/api/v1/recruitments/", "/api/v1/transfers/"):
            assert api.get(url).json()["results"] == [], (user, url)
    assert Member.objects.filter(pk=m.pk).exists()
