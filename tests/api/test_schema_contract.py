"""The schema is the contract (issue 17): real responses of the operations the fuzzer once caught, and of the
writes whose documented response was their input shape, validated against the generated schema — strictly
(no undocumented status, no missing, mistyped or undocumented field)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.funding.models import FundingRollup
from apps.service_requests import services as sr_services
from apps.supervision.models import LetterAttachment
from tests.factories.accounts import make_user
from tests.factories.members import make_id_number, make_member
from tests.factories.service_requests import make_category, make_request
from tests.factories.supervision import make_letter
from tests.funding.helpers import allocate, pdf, spend, this_year

from .schema import api_schema, assert_documented, operation_for

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\x00\x00\x00\n"
    b"IDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)


# --- funding -------------------------------------------------------------------------------------------------


def test_funding_execution_is_the_documented_object(tree, users, api_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "250.00")
    api = api_for(users.street_staff)
    body = assert_documented(api.get("/api/v1/funding/execution/"))
    assert body["organization"] == tree.street_a.pk and len(body["by_month"]) == 12
    assert Decimal(body["total"]["spent"]) == Decimal("250.00")
    body = assert_documented(api.get("/api/v1/funding/execution/", {"org": tree.branch_a.code, "year": this_year()}))
    assert body["own"] is not None and Decimal(body["own"]["rate"]) == Decimal("25.0")


@pytest.mark.parametrize("year", ["0", "0.5", "abc", "99999"])
def test_funding_execution_refuses_a_bad_year_with_a_400_naming_it(tree, users, api_for, year):
    resp = api_for(users.street_staff).get("/api/v1/funding/execution/", {"year": year})
    assert resp.status_code == 400 and "year" in assert_documented(resp)


def test_funding_execution_an_id_beyond_any_bigint_is_a_404(tree, users, api_for):
    resp = api_for(users.city_staff).get("/api/v1/funding/execution/", {"org": "9" * 30})
    assert resp.status_code == 404
    assert_documented(resp)


def test_funding_rate_of_an_overspent_tiny_allocation_is_not_a_500(tree, users, api_for):
    """A rate over 99,999.9 % does not fit the old 6-digit decimal: DRF raised InvalidOperation (a 500)."""
    allocate(users.street_staff, tree.street_a, tree.branch_a, "0.01")
    # Spending beyond the allocation is refused by the services; legacy rows can still hold it: 1,000 of 0.01.
    FundingRollup.objects.filter(organization=tree.branch_a).update(spent=Decimal("1000.00"))
    body = assert_documented(api_for(users.street_staff).get("/api/v1/funding/execution/"))
    row = next(r for r in body["children"] if r["organization"] == tree.branch_a.pk)
    assert Decimal(row["rate"]) == Decimal("10000000.0")


def test_funding_reverse_and_voucher_are_documented_201s(tree, users, api_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    expense = spend(users.secretary_a, a, "100.00")
    api = api_for(users.secretary_a)
    resp = api.post(f"/api/v1/funding/expenses/{expense.pk}/vouchers/", {"file": pdf()}, format="multipart")
    assert resp.status_code == 201
    assert assert_documented(resp)["download_url"].startswith("/funding/vouchers/")
    resp = api.post(f"/api/v1/funding/expenses/{expense.pk}/reverse/", {"reason": "金额录错"}, format="json")
    assert resp.status_code == 201
    assert assert_documented(resp)["reverses"] == expense.pk


def test_funding_preview_commit_and_copy_forward_are_documented(tree, users, api_for):
    api = api_for(users.city_staff)
    std = {"region": tree.city.pk, "year": this_year(), "name": "支部工作经费", "basis": "per_org",
           "amount": "2000.00", "source": "fiscal", "target_kind": "branch"}  # fmt: skip
    sid = assert_documented(api.post("/api/v1/funding/standards/", std, format="json"))["id"]
    preview = assert_documented(api.post("/api/v1/funding/allocations/preview/", {"standards": [sid]}, format="json"))
    assert preview["count"] == 3 and len(preview["lines"]) == 3
    resp = api.post("/api/v1/funding/allocations/commit/", {"standards": [sid]}, format="json")
    assert resp.status_code == 201 and assert_documented(resp)["recipient_count"] == 3
    resp = api.post(
        "/api/v1/funding/standards/copy-forward/", {"region": tree.city.pk, "from_year": this_year()}, format="json"
    )
    assert resp.status_code in (201, 400)
    assert_documented(resp)


# --- service requests, micro-wishes, registrations, stats ----------------------------------------------------


@pytest.fixture
def worker(tree):
    return make_user(tree.branch_a, "committee_staff", username="worker_a")


def test_service_request_list_detail_answer_and_follow_up_match(tree, worker, api_for):
    cat = make_category(tree.city, name="民事代办")
    req = make_request(worker, tree.branch_a, cat)
    api = api_for(worker)
    # A fresh request: no satisfaction yet, its first step has no "from" status — both "" as stored.
    body = assert_documented(api.get("/api/v1/service-requests/"))
    assert body["results"][0]["satisfaction"] == ""
    assert assert_documented(api.get(f"/api/v1/service-requests/{req.pk}/"))["steps"][0]["from_status"] == ""
    for action, data in [("accept", {}), ("assign", {"assignee_agent": "钱小红"}), ("start", {})]:
        assert api.post(f"/api/v1/service-requests/{req.pk}/{action}/", data, format="json").status_code == 200
    resp = api.post(f"/api/v1/service-requests/{req.pk}/answer/", {"result": "已解答"}, format="json")
    assert assert_documented(resp)["status"] == "answered"
    resp = api.post(f"/api/v1/service-requests/{req.pk}/follow-up/", {"satisfaction": "basic"}, format="json")
    assert assert_documented(resp)["satisfaction"] == "basic"


def test_micro_wish_create_and_list_match(tree, worker, api_for):
    api = api_for(worker)
    resp = api.post("/api/v1/micro-wishes/", {"organization": tree.branch_a.code, "title": "添置电暖器"}, format="json")
    assert resp.status_code == 201 and assert_documented(resp)["claimant_kind"] == ""
    assert assert_documented(api.get("/api/v1/micro-wishes/"))["count"] == 1


def test_service_records_post_is_a_documented_201(tree, worker, api_for):
    member = make_member(tree.branch_c, name="孙建平")
    home_staff = make_user(tree.branch_c, "committee_staff", username="home_c")
    reg = sr_services.registration_create(acting_user=home_staff, community=tree.branch_a, member=member)
    reg = sr_services.registration_confirm(acting_user=worker, registration=reg)
    api = api_for(home_staff)
    body = {"served_on": reg.registered_on.isoformat(), "content": "政策宣传", "hours": "2.0", "people_served": 3}
    resp = api.post(f"/api/v1/community-registrations/{reg.pk}/records/", body, format="json")
    assert resp.status_code == 201
    assert_documented(resp)
    assert len(assert_documented(api.get(f"/api/v1/community-registrations/{reg.pk}/records/"))) == 1
    assert_documented(api.get(f"/api/v1/community-registrations/{reg.pk}/"))


def test_service_stats_match_and_a_role_without_it_gets_the_error_body(tree, users, worker, api_for):
    cat = make_category(tree.city, name="民事代办")
    sr_services.request_accept(acting_user=worker, request=make_request(worker, tree.branch_a, cat))
    body = assert_documented(api_for(users.district_staff).get("/api/v1/service-stats/", {"org": tree.street_a.code}))
    assert body["organization"]["code"] == tree.street_a.code
    resp = api_for(users.district_staff).get("/api/v1/service-stats/", {"start": "2026-13"})
    assert resp.status_code == 400 and assert_documented(resp)["error"] == "invalid"
    assert not users.roster_admin.has_perm("service_requests.view_servicerequest")
    resp = api_for(users.roster_admin).get("/api/v1/service-stats/")
    assert resp.status_code == 403  # the API's one error body, no longer a bare {"detail": ...}
    assert assert_documented(resp)["error"] == "permission_denied"


# --- members, organizations, recruitments: writes answer the output shape -------------------------------------


def test_member_writes_answer_the_detail_shape_and_put_takes_back_a_get(tree, users, api_for):
    api = api_for(users.district_staff)
    resp = api.post(
        "/api/v1/members/",
        {"organization": tree.branch_a.pk, "id_number": make_id_number(), "name": "刘建国",
         "joined_on": "2010-07-01", "confirmed_on": "2011-07-01"},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.content
    created = assert_documented(resp)
    assert "created_at" in created  # the detail shape, not the input shape
    pk = created["id"]
    # PUT what a GET returned: the masked ID number is "unchanged", organization/id_number are not required.
    got = assert_documented(api.get(f"/api/v1/members/{pk}/"))
    writable = set(api_schema()["components"]["schemas"]["MemberWriteRequest"]["properties"])
    body = {k: v for k, v in got.items() if k in writable and v is not None}
    body["work_unit"] = "江州市第一中学"
    resp = api.put(f"/api/v1/members/{pk}/", body, format="json")
    assert resp.status_code == 200, resp.content
    assert assert_documented(resp)["work_unit"] == "江州市第一中学"
    body.pop("organization"), body.pop("id_number")
    assert assert_documented(api.put(f"/api/v1/members/{pk}/", body, format="json"))["id"] == pk
    assert assert_documented(api.patch(f"/api/v1/members/{pk}/", {"position": "教师"}, format="json"))["position"]


def test_member_put_schema_does_not_require_creation_fields():
    schemas = api_schema()["components"]["schemas"]
    assert {"organization", "id_number"} <= set(schemas["MemberCreateRequest"]["required"])
    assert not {"organization", "id_number"} & set(schemas["MemberWriteRequest"].get("required", []))
    _, put = operation_for("put", "/api/v1/members/1/")
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MemberWriteRequest")


def test_organization_writes_answer_the_organization_shape(tree, users, api_for):
    api = api_for(users.street_staff)
    resp = api.post(
        "/api/v1/organizations/",
        {"parent": tree.street_a.pk, "name": "丁支部", "code": "B000D", "kind": "branch"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = assert_documented(resp)
    assert body["parent_name"] == tree.street_a.name and body["path"]
    resp = api.patch(f"/api/v1/organizations/{body['id']}/", {"short_name": "丁支部"}, format="json")
    assert assert_documented(resp)["depth"] == body["depth"]
    _, put = operation_for("put", f"/api/v1/organizations/{body['id']}/")
    ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "parent" not in api_schema()["components"]["schemas"][ref]["properties"]  # moves go through move/


def test_recruitment_writes_answer_the_recruitment_shape(tree, users, api_for):
    api = api_for(users.district_staff)
    resp = api.post(
        "/api/v1/recruitments/",
        {"organization": tree.branch_a.pk, "id_number": make_id_number(), "name": "申请人", "applied_on": "2026-03-01"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = assert_documented(resp)
    assert body["stage"] == "applicant" and body["id_number"] != ""
    resp = api.patch(f"/api/v1/recruitments/{body['id']}/", {"work_unit": "江州市供电公司"}, format="json")
    assert assert_documented(resp)["work_unit"] == "江州市供电公司"
    create = api_schema()["components"]["schemas"]["RecruitmentCreateRequest"]
    assert {"organization", "id_number", "name", "applied_on"} <= set(create["required"])


def test_recruitment_post_without_required_fields_is_a_400_naming_them(tree, users, api_for):
    resp = api_for(users.district_staff).post("/api/v1/recruitments/", {"name": "申请人"}, format="json")
    assert resp.status_code == 400
    body = assert_documented(resp)
    assert {"organization", "id_number", "applied_on"} <= set(body)


# --- supervision: the letter answer takes files, as documented -----------------------------------------------


def test_letter_answer_with_files_is_in_the_schema_and_saves_them(tree, users, api_for):
    letter = make_letter(tree.street_a, tree.branch_a)
    _, op = operation_for("post", f"/api/v1/letters/{letter.pk}/answer/")
    upload = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    files_schema = api_schema()["components"]["schemas"][upload]["properties"]["files"]
    assert files_schema["items"]["format"] == "binary"
    files = [SimpleUploadedFile("整改说明.pdf", b"%PDF-1.4\n%x\n%%EOF\n", content_type="application/pdf"),
             SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")]  # fmt: skip
    resp = api_for(users.secretary_a).post(
        f"/api/v1/letters/{letter.pk}/answer/", {"answer": "已按要求整改。", "files": files}, format="multipart"
    )
    assert resp.status_code == 200, resp.content
    assert assert_documented(resp)["status"] == "answered"
    assert LetterAttachment.objects.filter(letter=letter).count() == 2


def test_letter_answer_refuses_a_file_of_a_forbidden_type(tree, users, api_for):
    letter = make_letter(tree.street_a, tree.branch_a)
    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    resp = api_for(users.secretary_a).post(
        f"/api/v1/letters/{letter.pk}/answer/", {"answer": "已整改。", "files": [bad]}, format="multipart"
    )
    assert resp.status_code == 400 and "files" in assert_documented(resp)
    assert not LetterAttachment.objects.filter(letter=letter).exists()


# --- every parameterless GET and the GETs below its first row, as two roles ------------------------------------------------------------------


def _plain_get_paths() -> list[str]:
    return sorted(p for p, ops in api_schema()["paths"].items() if "get" in ops and "{" not in p)


@pytest.mark.parametrize("role", ["city_staff", "secretary_a"])
def test_every_parameterless_get_answers_as_documented(tree, users, api_for, role):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "100.00", on=datetime.date(this_year(), 1, 10))
    make_member(tree.branch_a, name="王强")
    api = api_for(getattr(users, role))
    failures, first_ids = [], {}
    for path in _plain_get_paths():
        resp = api.get(path)
        failures += _check(resp, path)
        body = resp.json() if resp.status_code == 200 and resp.content else None
        rows = body.get("results") if isinstance(body, dict) else body
        if isinstance(rows, list) and rows and isinstance(rows[0], dict) and "id" in rows[0]:
            first_ids[path] = rows[0]["id"]
    # Then every GET below one of those rows: /x/{id}/, /x/{id}/children/, ...
    detail = 0
    for template, ops in sorted(api_schema()["paths"].items()):
        head, sep, tail = template.partition("{id}/")
        if "get" in ops and sep and "{" not in tail and head in first_ids:
            path = f"{head}{first_ids[head]}/{tail}"
            failures += _check(api.get(path), path)
            detail += 1
    assert detail >= 5, first_ids  # the data above gives rows to a handful of lists at least
    assert not failures, "\n".join(failures)


def _check(resp, path: str) -> list[str]:
    if resp.status_code >= 500:
        return [f"{path}: {resp.status_code}"]
    try:
        assert_documented(resp)
    except AssertionError as exc:
        return [str(exc)]
    return []


# --- accounts, notifications: what the token, "me" and the inbox answer ---------------------------------------


def test_token_answers_the_documented_token(tree, users):
    from rest_framework.test import APIClient

    users.secretary_a.set_password("pw-Test-1234-x")
    users.secretary_a.save()
    resp = APIClient().post(
        "/api/v1/auth/token/", {"username": "secretary_a", "password": "pw-Test-1234-x"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    assert len(assert_documented(resp)["token"]) >= 20


def test_me_of_a_user_without_organization_matches(tree, users, api_for):
    from tests.factories.accounts import make_user as _make_user

    root = _make_user(None, "system_admin", username="root_admin", superuser=True)
    body = assert_documented(api_for(root).get("/api/v1/me/"))
    assert body["organization_name"] is None


def test_notices_unread_is_a_documented_boolean(tree, users, api_for):
    from apps.notifications.services import notice_mark_read
    from tests.factories.notifications import make_notice

    api = api_for(users.secretary_a)
    notice_mark_read(user=users.secretary_a, notice=make_notice(users.secretary_a, title="已读"))
    make_notice(users.secretary_a, title="未读")
    assert [n["title"] for n in assert_documented(api.get("/api/v1/notices/", {"unread": "true"}))["results"]] == [
        "未读"
    ]
    assert assert_documented(api.get("/api/v1/notices/", {"unread": "false"}))["count"] == 2  # was: unread only
    resp = api.get("/api/v1/notices/", {"unread": "maybe"})
    assert resp.status_code == 400 and "unread" in assert_documented(resp)
    assert assert_documented(api.post("/api/v1/notices/read_all/"))["marked"] == 1
