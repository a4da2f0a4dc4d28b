import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditLog
from apps.service_requests import services
from apps.service_requests.models import CommunityRegistration, ServiceStep
from tests.factories.accounts import make_user
from tests.factories.members import make_member
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_sibling_community_gets_404_on_request_page_action_and_api(tree, sr, client_for, api_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    client = client_for(sr.worker_b)
    assert client.get(reverse("service_requests:request_detail", args=[req.pk])).status_code == 404
    assert client.get(reverse("service_requests:request_action", args=[req.pk, "accept"])).status_code == 404
    assert req.code not in client.get(reverse("service_requests:request_list")).content.decode()
    api = api_for(sr.worker_b)
    assert api.get(f"/api/v1/service-requests/{req.pk}/").status_code == 404
    assert api.post(f"/api/v1/service-requests/{req.pk}/accept/", {}).status_code == 404
    assert api.get("/api/v1/service-requests/").json()["count"] == 0
    assert api_for(sr.worker_a).get("/api/v1/service-requests/").json()["count"] == 1


def test_requester_data_is_masked_in_list_api_and_export_and_full_view_is_audited(tree, users, sr, client_for, api_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13812345678", requester_name="王秀英")
    leader = client_for(users.leader)
    html = leader.get(reverse("service_requests:request_list")).content.decode()
    assert "138****5678" in html and "13812345678" not in html and "王秀英" not in html
    page = leader.get(reverse("service_requests:request_detail", args=[req.pk]) + "?reveal=1").content.decode()
    assert "13812345678" not in page  # no permission: reveal ignored
    data = api_for(users.secretary_a).get(f"/api/v1/service-requests/{req.pk}/").json()
    assert data["requester_phone"] == "138****5678" and data["requester_name"] == "王**"
    resp = client_for(users.street_staff).get(reverse("service_requests:request_list") + "?export=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert "138****5678" in cells and "13812345678" not in cells
    # a worker who needs the number reveals it, and the view is logged
    full = client_for(sr.worker_a).get(reverse("service_requests:request_detail", args=[req.pk]) + "?reveal=1")
    assert "13812345678" in full.content.decode()
    assert AuditLog.objects.filter(event="servicerequest.view_pii", object_id=str(req.pk)).count() == 1
    assert "13812345678" not in str(list(AuditLog.objects.values_list("changes", flat=True)))


def test_register_page_creates_and_shows_duplicate_warning(tree, sr, client_for):
    client = client_for(sr.worker_a)
    make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13911112222")
    form = {"organization": tree.branch_a.code, "channel": "phone", "requester_name": "李桂兰",
            "requester_phone": "13911112222", "category": sr.cat.pk, "content": "再次来电催办"}  # fmt: skip
    resp = client.post(reverse("service_requests:request_create"), form, follow=True)
    assert resp.status_code == 200
    assert "疑似重复" in resp.content.decode()


def test_action_pages_run_the_services_and_refuse_wrong_state_with_a_message(tree, sr, client_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    client = client_for(sr.worker_a)
    url = lambda a: reverse("service_requests:request_action", args=[req.pk, a])  # noqa: E731
    resp = client.post(url("answer"), {"result": "x"})
    assert resp.status_code == 200 and "不能办结" in resp.content.decode()
    assert client.post(url("accept"), {"note": ""}).status_code == 302
    evidence = SimpleUploadedFile("证明.png", PNG, content_type="image/png")
    assert client.post(url("answer"), {"result": "已办好", "attachment": evidence}).status_code == 302
    step = ServiceStep.objects.get(request=req, action="answer")
    resp = client.get(reverse("service_requests:step_attachment", args=[step.pk]))
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    assert client_for(sr.worker_b).get(reverse("service_requests:step_attachment", args=[step.pk])).status_code == 404
    bad = SimpleUploadedFile("病毒.exe", b"MZ" * 10)
    req.refresh_from_db()
    assert req.status == "answered"
    with pytest.raises(ValidationError) as exc:
        services.request_answer(acting_user=sr.worker_a, request=req, result="again", attachment=bad)
    assert "附件类型不允许" in str(exc.value)


def test_api_transitions_end_to_end(tree, sr, api_for):
    api = api_for(sr.worker_a)
    resp = api.post("/api/v1/service-requests/", {"organization": tree.branch_a.code, "channel": "window",
                                                  "requester_name": "赵德明", "requester_phone": "13700001234",
                                                  "category": sr.cat.pk, "content": "咨询医保"}, format="json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["requester_phone"] == "137****1234"
    assert api.post(f"/api/v1/service-requests/{pk}/answer/", {"result": "x"}).status_code == 400
    for action, body in [("accept", {}), ("assign", {"assignee_agent": "钱小红"}), ("start", {}),
                         ("answer", {"result": "已解答"}), ("follow-up", {"satisfaction": "basic"}), ("close", {})]:  # fmt: skip
        r = api.post(f"/api/v1/service-requests/{pk}/{action}/", body, format="json")
        assert r.status_code == 200, (action, r.content)
    assert r.json()["status"] == "closed" and len(r.json()["steps"]) == 7


def test_read_only_leader_is_refused_transitions_in_api(tree, users, sr, api_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    assert api_for(users.leader).post(f"/api/v1/service-requests/{req.pk}/accept/", {}).status_code == 403


def test_stats_page_api_and_export(tree, users, sr, client_for, api_for):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    services.request_accept(acting_user=sr.worker_a, request=req)
    client = client_for(users.district_staff)
    page = client.get(reverse("service_requests:stats")).content.decode()
    assert "甲街道党工委" in page and "按时办结率" in page
    resp = client.get(reverse("service_requests:stats") + f"?org={tree.street_a.code}&export=xlsx")
    assert load_workbook(io.BytesIO(resp.content))["按组织"]["B2"].value == 1
    assert client.get(reverse("service_requests:stats") + f"?org={tree.district_b.code}").status_code == 404
    data = api_for(users.district_staff).get("/api/v1/service-stats/", {"org": tree.street_a.code}).json()
    assert data["total"]["volume"] == 1 and data["total"]["response_rate"] == 100.0
    assert api_for(users.district_b_staff).get("/api/v1/service-stats/", {"org": tree.street_a.code}).status_code == 404


def _count(fn):
    fn()
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def test_request_list_page_and_api_queries_do_not_grow_with_rows(tree, users, sr, client_for, api_for):
    for i in range(3):
        make_request(sr.worker_a, tree.branch_a, sr.cat, phone=f"1330000{i:04d}")
    client, api = client_for(users.street_staff), api_for(users.street_staff)
    few = (_count(lambda: client.get(reverse("service_requests:request_list"))),
           _count(lambda: api.get("/api/v1/service-requests/")))  # fmt: skip
    for i in range(30):
        make_request(sr.worker_b, tree.branch_b, sr.sub, phone=f"1340000{i:04d}")
    many = (_count(lambda: client.get(reverse("service_requests:request_list"))),
            _count(lambda: api.get("/api/v1/service-requests/")))  # fmt: skip
    assert few == many
    assert many[0] <= 14 and many[1] <= 8


def test_home_panel_shows_overdue_requests(tree, sr, client_for):
    import datetime

    req = make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=datetime.date(2026, 10, 12))
    html = client_for(sr.worker_a).get("/").content.decode()
    assert "sr-home-panel" in html and req.code in html


def test_micro_wish_flow_and_sibling_refused(tree, sr, client_for, api_for):
    wish = services.wish_create(acting_user=sr.worker_a, organization=tree.branch_a, title="为独居老人添置电暖器")
    wish = services.wish_claim(acting_user=sr.worker_a, wish=wish, claimant_kind="member", claimant_name="李志强")
    photo = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    wish = services.wish_fulfil(acting_user=sr.worker_a, wish=wish, note="已送达", evidence=photo)
    wish = services.wish_confirm(acting_user=sr.worker_a, wish=wish)
    assert wish.status == "confirmed"
    page = client_for(sr.worker_a).get(reverse("service_requests:wish_list")).content.decode()
    assert "为独居老人添置电暖器" in page and "李志强" in page
    assert client_for(sr.worker_b).get(reverse("service_requests:wish_detail", args=[wish.pk])).status_code == 404
    assert client_for(sr.worker_b).get(reverse("service_requests:wish_evidence", args=[wish.pk])).status_code == 404
    assert api_for(sr.worker_b).get(f"/api/v1/micro-wishes/{wish.pk}/").status_code == 404
    resp = client_for(sr.worker_a).get(reverse("service_requests:wish_evidence", args=[wish.pk]))
    assert resp["Content-Disposition"].startswith("attachment")


def test_registration_is_visible_to_community_and_home_subtrees_only(tree, users, sr, client_for, api_for):
    """A member of district_b's branch_c registers with community branch_a: branch_a's side and
    district_b's side see it; the sibling branch_b does not."""
    member = make_member(tree.branch_c, name="孙建平")
    home_staff = make_user(tree.branch_c, "committee_staff", username="home_c")
    reg = services.registration_create(acting_user=home_staff, community=tree.branch_a, member=member)
    visible = lambda u: CommunityRegistration.objects.visible_to(u).filter(pk=reg.pk).exists()  # noqa: E731
    assert (
        visible(sr.worker_a) and visible(home_staff) and visible(users.district_b_staff) and visible(users.city_staff)
    )
    assert not visible(sr.worker_b) and visible(users.district_staff) is not False  # district_a sees its community
    assert not visible(sr.worker_b)
    assert (
        client_for(sr.worker_b).get(reverse("service_requests:registration_detail", args=[reg.pk])).status_code == 404
    )
    assert api_for(sr.worker_b).get(f"/api/v1/community-registrations/{reg.pk}/").status_code == 404
    # only the community side confirms; then either side records service, the community confirms it
    with pytest.raises(PermissionDenied):
        services.registration_confirm(acting_user=home_staff, registration=reg)
    reg = services.registration_confirm(acting_user=sr.worker_a, registration=reg)
    rec = services.record_add(acting_user=home_staff, registration=reg, served_on=reg.registered_on, content="政策宣传",
                              hours=2, people_served=15, disputes_resolved=1)  # fmt: skip
    services.record_confirm(acting_user=sr.worker_a, record=rec)
    html = client_for(home_staff).get(reverse("service_requests:registration_list")).content.decode()
    assert "1名在职党员" in html and "服务群众15人次" in html and "化解矛盾纠纷1起" in html
    recs = api_for(home_staff).get(f"/api/v1/community-registrations/{reg.pk}/records/").json()
    assert recs[0]["people_served"] == 15


@pytest.mark.parametrize(
    "name",
    [
        "service_requests:request_list",
        "service_requests:stats",
        "service_requests:wish_list",
        "service_requests:registration_list",
        "service_requests:request_create",
        "service_requests:wish_create",
        "service_requests:registration_create",
    ],
)
def test_pages_render_for_a_worker(tree, sr, client_for, name):
    assert client_for(sr.worker_a).get(reverse(name)).status_code == 200


def _wishes_and_regs(tree, sr, n, offset):
    for i in range(n):
        services.wish_create(acting_user=sr.worker_a, organization=tree.branch_a, title=f"心愿{offset + i}")
        member = make_member(tree.branch_a, name=f"报到党员{offset + i}")
        reg = services.registration_create(acting_user=sr.worker_a, community=tree.branch_b, member=member)
        services.registration_confirm(acting_user=sr.worker_b, registration=reg)


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ("service_requests:wish_list", "/api/v1/micro-wishes/"),
        ("service_requests:registration_list", "/api/v1/community-registrations/"),
        ("service_requests:stats", "/api/v1/service-stats/"),
    ],
)
def test_other_pages_queries_do_not_grow_with_rows(tree, users, sr, client_for, api_for, page, api):
    _wishes_and_regs(tree, sr, 3, 0)
    client, rest = client_for(users.street_staff), api_for(users.street_staff)
    few = (_count(lambda: client.get(reverse(page))), _count(lambda: rest.get(api)))
    _wishes_and_regs(tree, sr, 30, 100)
    many = (_count(lambda: client.get(reverse(page))), _count(lambda: rest.get(api)))
    assert few == many
    assert many[0] <= 16 and many[1] <= 8


def test_stats_page_organization_box_is_the_picker(tree, users, sr, client_for):
    client = client_for(users.district_staff)
    html = client.get(reverse("service_requests:stats"), {"org": tree.street_a.code}).content.decode()
    assert "data-org-picker-widget" in html and f'value="{tree.street_a.name}"' in html
    assert "组织代码" not in html
    # a name typed without picking resolves in scope; a sibling's name is not found
    resp = client.get(reverse("service_requests:stats"), {"org_search": tree.street_a.name})
    assert resp.status_code == 200 and tree.street_a.name in resp.content.decode()
    sibling = client_for(users.district_b_staff).get(reverse("service_requests:stats"), {"org": tree.street_a.code})
    assert sibling.status_code == 404


def test_registration_community_is_picked_by_name(tree, users, sr, client_for):
    from apps.organizations.choices import Sector

    tree.district_b.sector = Sector.COMMUNITY
    tree.district_b.save(update_fields=["sector"])
    client = client_for(sr.worker_a)
    html = client.get(reverse("service_requests:registration_create")).content.decode()
    assert "data-org-picker-widget" in html and "组织代码" not in html
    found = client.get(reverse("service_requests:community_lookup"), {"q": tree.district_b.name}).json()["results"]
    assert tree.district_b.name in [r["name"] for r in found]
    member = make_member(tree.branch_a, name="周报到")
    resp = client.post(
        reverse("service_requests:registration_create"),
        {"kind": "member", "member": member.pk, "community": "", "community_search": tree.district_b.name,
         "registered_on": "2026-11-02"},
    )  # fmt: skip
    assert resp.status_code == 302
    assert CommunityRegistration.objects.filter(member=member, organization=tree.district_b).exists()
    resp = client.post(
        reverse("service_requests:registration_create"),
        {"kind": "member", "member": member.pk, "community_search": "不存在的社区", "registered_on": "2026-11-02"},
    )
    assert "找不到该社区" in resp.content.decode()
    assert client_for(users.leader).get(reverse("service_requests:community_lookup"), {"q": "街道"}).status_code == 403


def test_large_request_list_export_is_a_job_with_the_same_masked_rows(
    tree, users, sr, client_for, django_capture_on_commit_callbacks
):
    from tests.helpers import export_sync_and_as_job

    make_request(sr.worker_a, tree.branch_a, sr.cat, requester_name="王小明", phone="13812345678")
    make_request(sr.worker_b, tree.branch_b, sr.cat)
    url = reverse("service_requests:request_list") + "?export=xlsx"
    sync, job_rows, _job = export_sync_and_as_job(
        client_for(users.street_staff), url, django_capture_on_commit_callbacks
    )
    assert job_rows == sync and len(sync) == 3
    assert "13812345678" not in str(job_rows) and "王小明" not in str(job_rows)


def _sheet_rows(resp):
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_wish_and_registration_lists_export_what_they_show(tree, users, sr, client_for):
    """Both lists can be filtered, so both export (导出Excel), with the page's filters and scope applied."""
    open_wish = services.wish_create(acting_user=sr.worker_a, organization=tree.branch_a, title="添置电暖器")
    claimed = services.wish_create(acting_user=sr.worker_a, organization=tree.branch_a, title="修缮活动室")
    services.wish_claim(acting_user=sr.worker_a, wish=claimed, claimant_kind="member", claimant_name="李志强")
    services.wish_create(acting_user=sr.worker_b, organization=tree.branch_b, title="兄弟社区的心愿")
    client = client_for(sr.worker_a)
    page = client.get(reverse("service_requests:wish_list") + "?status=open").content.decode()
    assert "导出Excel" in page and "status=open&amp;export=xlsx" in page
    rows = _sheet_rows(client.get(reverse("service_requests:wish_list") + "?status=open&export=xlsx"))
    assert rows[0][0] == "心愿" and [r[0] for r in rows[1:]] == [open_wish.title]  # filtered, sibling's not there

    pending = services.registration_create(
        acting_user=sr.worker_b, community=tree.branch_a, member=make_member(tree.branch_b, name="赵报到")
    )
    active = services.registration_create(
        acting_user=sr.worker_b, community=tree.branch_a, member=make_member(tree.branch_b, name="钱报到")
    )
    services.registration_confirm(acting_user=sr.worker_a, registration=active)
    page = client.get(reverse("service_requests:registration_list")).content.decode()
    assert "导出Excel" in page
    rows = _sheet_rows(client.get(reverse("service_requests:registration_list") + "?status=active&export=xlsx"))
    assert [r[0] for r in rows[1:]] == ["钱报到"] and rows[1][6] == "已报到"
    assert pending.member.name not in [r[0] for r in rows]
    outside = client_for(users.district_b_staff)  # neither the community's nor the members' side
    assert _sheet_rows(outside.get(reverse("service_requests:registration_list") + "?export=xlsx"))[1:] == []
