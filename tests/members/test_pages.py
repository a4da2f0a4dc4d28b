import datetime

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.members.models import Member, Transfer
from apps.members.recruitment import recruitment_create
from apps.members.selectors import member_list_filtered
from apps.members.transfers import transfer_approve, transfer_request
from tests.factories.members import make_id_number, make_member
from tests.factories.organizations import make_org
from tests.helpers import count_queries


def _rows(html):
    return html.count('<tr><td><a href="/members/')


def _get_count(client, url):
    return count_queries(lambda: client.get(url))


def test_member_list_queries_do_not_grow_with_rows(tree, users, client_for):
    client = client_for(users.district_staff)
    for _ in range(3):
        make_member(tree.branch_a, party_group=tree.group_a)
    client.get(reverse("members:member_list"))  # warm the user's permission cache, as in a real session
    n3, r3 = _get_count(client, reverse("members:member_list"))
    for _ in range(27):
        make_member(tree.branch_b)
    n30, r30 = _get_count(client, reverse("members:member_list"))
    assert (_rows(r3.content.decode()), _rows(r30.content.decode())) == (3, 30)
    assert n3 == n30 <= 8


def test_member_list_excludes_sibling_branch(tree, users, client_for):
    mine, other = make_member(tree.branch_b, name="乙支部党员"), make_member(tree.branch_a, name="甲支部党员")
    html = client_for(users.secretary_b).get(reverse("members:member_list")).content.decode()
    assert mine.name in html and other.name not in html


def test_member_list_masks_id_and_phone_for_secretary(tree, users, client_for):
    m = make_member(tree.branch_b, phone="13800138000")
    html = client_for(users.secretary_b).get(reverse("members:member_list")).content.decode()
    assert m.id_masked in html and m.id_number not in html
    assert "138****8000" in html and "13800138000" not in html


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"category": "probationary"}, {"p"}),
        ({"gender": "2"}, {"f"}),
        ({"age_min": "60"}, {"old"}),
        ({"age_max": "30"}, {"young"}),
        ({"education": "2"}, {"p"}),
        ({"ethnicity": "03"}, {"f"}),
        ({"join_year": "2019"}, {"young"}),
        ({"mobile_state": "any"}, {"f"}),
        ({"mobile_state": "outflow"}, {"f"}),
        ({"status": "deceased"}, {"dead"}),
        ({"lost_contact": "true"}, {"old"}),
    ],
)
def test_member_list_filters(tree, users, client_for, params, expected):
    today = datetime.date.today()
    make_member(tree.branch_a, name="p", category="probationary", education="21", joined_on=datetime.date(2010, 1, 1))
    make_member(tree.branch_a, name="f", gender="2", ethnicity="03", mobile_state="outflow", mobile_place="深圳")
    make_member(tree.branch_a, name="old", birth_date=today.replace(year=today.year - 61), lost_contact=True)
    make_member(
        tree.branch_a, name="young", birth_date=today.replace(year=today.year - 25), joined_on=datetime.date(2019, 7, 1)
    )
    make_member(tree.branch_a, name="dead", status="deceased")
    qs, _ = member_list_filtered(user=users.district_staff, data=params)
    assert {m.name for m in qs} == expected


def test_search_by_exact_id_number_and_name_prefix(tree, users, client_for):
    a = make_member(tree.branch_a, name="张伟")
    make_member(tree.branch_a, name="张伟华")
    make_member(tree.branch_a, name="李伟")
    client = client_for(users.district_staff)
    html = client.get(reverse("members:member_list"), {"q": a.id_number.lower()}, follow=True).content.decode()
    assert _rows(html) == 1
    html = client.get(reverse("members:member_list"), {"q": "张伟"}).content.decode()
    assert "张伟华" in html and "李伟" not in html


def test_subtree_filter_out_of_scope_org_gives_nothing(tree, users, client_for):
    make_member(tree.branch_a, name="甲某")
    html = client_for(users.district_b_staff).get(reverse("members:member_list"), {"within": tree.branch_a.pk})
    assert "甲某" not in html.content.decode()


def test_detail_page_shows_timeline_and_masked_id(tree, users, client_for):
    m = make_member(tree.branch_a)
    transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_b, reason="调动")
    html = client_for(users.district_staff).get(m.get_absolute_url()).content.decode()
    assert "申请转接" in html and m.id_masked in html and m.id_number not in html
    assert "查看完整号码" not in html


def test_roster_admin_reveal_shows_full_id_and_is_audited(tree, users, client_for):
    m = make_member(tree.branch_a)
    client = client_for(users.roster_admin)
    assert "查看完整号码" in client.get(m.get_absolute_url()).content.decode()
    response = client.post(reverse("members:member_reveal_id", args=[m.pk]))
    assert m.id_number in response.content.decode()
    assert AuditLog.objects.filter(object_id=str(m.pk), action="view_pii", actor=users.roster_admin).exists()


def test_district_staff_cannot_reveal_full_id(tree, users, client_for):
    m = make_member(tree.branch_a)
    assert client_for(users.district_staff).post(reverse("members:member_reveal_id", args=[m.pk])).status_code == 403


def test_create_form_shows_chinese_field_error(tree, users, client_for):
    response = client_for(users.district_staff).post(
        reverse("members:member_create"),
        {
            "organization": tree.branch_a.code,
            "id_number": "340524198001010013",
            "name": "张三",
            "ethnicity": "01",
            "category": "full",
            "points": "0",
        },
    )
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert not Member.objects.exists()


def test_create_form_creates_member(tree, users, client_for):
    number = make_id_number()
    response = client_for(users.district_staff).post(
        reverse("members:member_create"),
        {
            "organization": tree.branch_a.code,
            "id_number": number,
            "name": "张三",
            "ethnicity": "01",
            "category": "full",
            "points": "0",
            "joined_on": "2010-07-01",
            "confirmed_on": "2011-07-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get().id_number == number


def test_secretary_edit_page_offers_contact_fields_only(tree, users, client_for):
    m = make_member(tree.branch_a)
    client = client_for(users.secretary_a)
    html = client.get(reverse("members:member_update", args=[m.pk])).content.decode()
    assert 'name="phone"' in html and 'name="name"' not in html
    response = client.post(reverse("members:member_update", args=[m.pk]), {"phone": "12", "work_unit": "x"})
    assert response.status_code == 200 and "联系电话格式不正确" in response.content.decode()
    response = client.post(reverse("members:member_update", args=[m.pk]), {"phone": "13800138000", "work_unit": "x"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.phone == "13800138000"


def test_recruitment_create_form_error_names_the_age_rule(tree, users, client_for):
    response = client_for(users.district_staff).post(
        reverse("members:recruitment_create"),
        {
            "organization": tree.branch_a.code,
            "id_number": make_id_number(datetime.date(2010, 1, 1)),
            "name": "少年",
            "ethnicity": "01",
            "applied_on": "2025-01-01",
        },
    )
    assert response.status_code == 200 and "年满18周岁" in response.content.decode()


def _pages_for(tree, users):
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
    return [
        ("get", reverse("members:member_detail", args=[m.pk])),
        ("get", reverse("members:member_update", args=[m.pk])),
        ("post", reverse("members:member_update", args=[m.pk])),
        ("get", reverse("members:member_status", args=[m.pk])),
        ("post", reverse("members:member_reveal_id", args=[m.pk])),
        ("get", reverse("members:transfer_create", args=[m.pk])),
        ("get", reverse("members:recruitment_detail", args=[rec.pk])),
        ("get", reverse("members:recruitment_update", args=[rec.pk])),
        ("post", reverse("members:recruitment_advance", args=[rec.pk])),
        ("get", reverse("members:recruitment_extend", args=[rec.pk])),
        ("get", reverse("members:recruitment_stop", args=[rec.pk])),
        ("get", reverse("members:transfer_detail", args=[t.pk])),
        ("get", reverse("members:transfer_approve", args=[t.pk])),
        ("post", reverse("members:transfer_receive", args=[t.pk])),
        ("get", reverse("members:transfer_return", args=[t.pk])),
        ("post", reverse("members:transfer_cancel", args=[t.pk])),
    ]


def test_sibling_users_get_404_or_403_on_every_object_page(tree, users, client_for):
    pages = _pages_for(tree, users)
    for user in (users.secretary_b, users.district_b_staff):
        client = client_for(user)
        for method, url in pages:
            status = getattr(client, method)(url).status_code
            assert status in (403, 404), (user, method, url, status)


def test_sibling_lists_do_not_show_rows(tree, users, client_for):
    _pages_for(tree, users)
    client = client_for(users.district_b_staff)
    for name in ("member_list", "recruitment_list", "transfer_list", "deadlines"):
        html = client.get(reverse(f"members:{name}")).content.decode()
        assert _rows(html) == 0 and "data-deadline-row" not in html, name


def test_transfer_pages_flow(tree, users, client_for):
    m = make_member(tree.branch_a)
    client = client_for(users.district_staff)
    response = client.post(
        reverse("members:transfer_create", args=[m.pk]), {"kind": "internal", "to_org": tree.branch_c.code}
    )
    assert response.status_code == 302
    t = Transfer.objects.get()
    assert client.post(reverse("members:transfer_approve", args=[t.pk]), {}).status_code == 302
    assert client_for(users.district_b_staff).post(reverse("members:transfer_receive", args=[t.pk])).status_code == 302
    m.refresh_from_db()
    assert m.organization == tree.branch_c


@pytest.mark.parametrize("name", ["recruitment_list", "transfer_list"])
def test_other_lists_queries_do_not_grow(tree, users, client_for, name):
    client = client_for(users.district_staff)

    def add(n):
        for _ in range(n):
            rec_member = make_member(tree.branch_a)
            if name == "recruitment_list":
                recruitment_create(
                    acting_user=users.district_staff,
                    organization=tree.branch_a,
                    name="申请人",
                    id_number=make_id_number(),
                    applied_on=datetime.date(2024, 1, 1),
                )
            else:
                transfer_request(acting_user=users.district_staff, member=rec_member, to_org=tree.branch_c)

    add(3)
    n3, _ = _get_count(client, reverse(f"members:{name}"))
    add(27)
    n30, _ = _get_count(client, reverse(f"members:{name}"))
    assert n3 == n30 <= 8


def test_edit_form_hides_full_id_from_org_staff(tree, users, client_for):
    m = make_member(tree.branch_a)
    client = client_for(users.district_staff)
    html = client.get(reverse("members:member_update", args=[m.pk])).content.decode()
    assert m.id_number not in html and m.id_masked in html
    assert not AuditLog.objects.filter(action="view_pii").exists()


def test_edit_form_for_roster_admin_shows_full_id_and_audits(tree, users, client_for):
    m = make_member(tree.branch_a)
    html = client_for(users.roster_admin).get(reverse("members:member_update", args=[m.pk])).content.decode()
    assert m.id_number in html
    assert AuditLog.objects.filter(object_id=str(m.pk), action="view_pii").count() == 1


def test_full_edit_without_id_keeps_the_number(tree, users, client_for):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 7, 1))
    number = m.id_number
    response = client_for(users.district_staff).post(
        reverse("members:member_update", args=[m.pk]),
        {
            "organization": tree.branch_a.code,
            "id_number": "",
            "name": "新名字",
            "gender": "1",
            "ethnicity": "01",
            "category": "full",
            "points": "5",
            "joined_on": "2010-07-01",
            "confirmed_on": "2011-07-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    m.refresh_from_db()
    assert (m.name, m.id_number) == ("新名字", number)


def test_recruitment_document_upload_and_type_check(tree, users, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    rec = recruitment_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        name="申请人",
        id_number=make_id_number(),
        applied_on=datetime.date(2024, 1, 1),
    )
    url = reverse("members:recruitment_document", args=[rec.pk])
    client = client_for(users.district_staff)
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, {"stage": "applicant", "title": "申请书", "file": bad})
    assert response.status_code == 200 and "材料只能是以下格式" in response.content.decode()
    good = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert client.post(url, {"stage": "applicant", "title": "申请书", "file": good}).status_code == 302
    assert rec.documents.get().title == "申请书"
    assert client_for(users.secretary_b).get(url).status_code in (403, 404)
    assert client_for(users.district_b_staff).get(url).status_code == 404


def test_admin_pages_render_and_mask(tree, users, client_for):
    m = make_member(tree.branch_a)
    client = client_for(users.admin)
    for name in ("member", "recruitment", "recruitmentrule", "transfer", "memberimportjob"):
        assert client.get(reverse(f"admin:members_{name}_changelist")).status_code == 200, name
    html = client.get(reverse("admin:members_member_change", args=[m.pk])).content.decode()
    assert m.id_masked in html and m.id_number not in html


def test_subtree_filter_is_a_picker_and_the_chip_shows_the_name(tree, users, client_for):
    """A dashboard drill-down (?within=<id>) shows the organization's name in the chip and the picker box,
    never its id; the box is the organization picker, not a typed number."""
    make_member(tree.branch_a, name="甲某")
    make_member(tree.branch_b, name="乙某")
    client = client_for(users.district_staff)
    html = client.get(reverse("members:member_list"), {"within": tree.branch_a.pk}).content.decode()
    assert "甲某" in html and "乙某" not in html
    assert f"所属党组织（含下级）：{tree.branch_a.name}" in html
    assert f"所属党组织（含下级）：{tree.branch_a.pk}<" not in html
    assert "data-org-picker" in html or "org-picker" in html
    assert 'type="number" name="within"' not in html
    # typed by name without picking (no JavaScript) still works
    html = client.get(reverse("members:member_list"), {"within_search": tree.branch_a.name}).content.decode()
    assert "甲某" in html and "乙某" not in html


def test_subtree_filter_chip_never_names_an_out_of_scope_org(tree, users, client_for):
    html = client_for(users.district_b_staff).get(reverse("members:member_list"), {"within": tree.branch_a.pk})
    html = html.content.decode()
    assert tree.branch_a.name not in html


def test_recruitment_subtree_filter_chip_shows_the_name(tree, users, client_for):
    html = client_for(users.district_staff).get(reverse("members:recruitment_list"), {"within": tree.branch_a.pk})
    assert f"所属党组织（含下级）：{tree.branch_a.name}" in html.content.decode()
