"""ID search is exact (blind index): say so, hint on partial/masked numbers, normalize before hashing."""

from django.urls import reverse

from apps.core.models import AuditLog
from apps.members.validators import id_check_char
from tests.factories.members import make_id_number, make_member

LIST = "members:member_list"


def _get(client, q):
    return client.get(reverse(LIST), {"q": q}, follow=True).content.decode()  # a full ID redirects to its hash


def test_full_number_is_found_after_normalizing(tree, users, client_for):
    # A number whose check character is X, to test lowercase and full-width x.
    first17 = next(f"34052419850615{n:03d}" for n in range(1, 999) if id_check_char(f"34052419850615{n:03d}") == "X")
    number = first17 + "X"
    make_member(tree.branch_a, name="王强", id_number=number)
    client = client_for(users.district_staff)
    fullwidth = number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    for q in (number, number.lower(), f" {number[:6]} {number[6:14]} {number[14:]} ", fullwidth):
        html = _get(client, q)
        assert "王强" in html, q
        assert 'id="id-search-hint"' not in html


def test_partial_number_gets_a_chinese_hint(tree, users, client_for):
    number = make_id_number()
    make_member(tree.branch_a, name="王强", id_number=number)
    html = _get(client_for(users.district_staff), number[:10])
    assert "王强" not in html
    assert 'id="id-search-hint"' in html and "须输入完整18位" in html and "10位" in html


def test_masked_number_gets_a_chinese_hint(tree, users, client_for):
    number = make_id_number()
    make_member(tree.branch_a, name="王强", id_number=number)
    html = _get(client_for(users.district_staff), number[:6] + "********" + number[-4:])
    assert "王强" not in html and "打码的身份证号" in html


def test_name_search_gets_no_hint(tree, users, client_for):
    make_member(tree.branch_a, name="王强")
    html = _get(client_for(users.district_staff), "王")
    assert "王强" in html and 'id="id-search-hint"' not in html


def test_list_says_id_search_needs_18_digits(tree, users, client_for):
    html = client_for(users.secretary_a).get(reverse(LIST)).content.decode()
    assert "身份证号须完整18位" in html
    assert "查看将被记录" not in html  # a secretary cannot reveal


def test_list_tells_revealing_roles_that_reveals_are_recorded(tree, users, client_for):
    html = client_for(users.roster_admin).get(reverse(LIST)).content.decode()
    assert "查看将被记录" in html and "导出也将被记录" in html


def test_roster_admin_export_is_unmasked_with_one_audit_row(tree, users, client_for):
    import io

    import openpyxl

    number = make_id_number()
    make_member(tree.branch_a, name="王强", id_number=number)
    response = client_for(users.roster_admin).get(reverse("members:member_export"))
    assert response.status_code == 200
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert number in cells
    assert AuditLog.objects.filter(event="member.export_full_pii", actor=users.roster_admin).count() == 1
