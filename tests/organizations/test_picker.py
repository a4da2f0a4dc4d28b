"""The organization picker's tree endpoint (scoped, paged, bounded queries) and the picker in filter panels
(the chosen organization shown by name, looked up in scope)."""

import pytest
from django.urls import reverse

from apps.organizations import selectors
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

URL = "organizations:organization_picker"


def _level(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_top_is_the_users_own_organization(tree, users, client_for):
    data = _level(client_for(users.street_staff))
    assert [o["name"] for o in data["results"]] == ["甲街道党工委"]
    assert data["results"][0]["has_children"] is True and data["more"] is False
    assert set(data["results"][0]) == {"id", "code", "name", "kind", "has_children"}
    assert data["results"][0]["kind"] and data["results"][0]["kind"] != "working_committee"  # a label


def test_children_load_level_by_level(tree, users, client_for):
    client = client_for(users.street_staff)
    data = _level(client, parent=tree.street_a.pk)
    assert sorted(o["name"] for o in data["results"]) == ["乙支部", "甲支部"]
    branch_a = next(o for o in data["results"] if o["name"] == "甲支部")
    assert branch_a["has_children"] is True  # its party group
    assert [o["name"] for o in _level(client, parent=tree.branch_a.pk)["results"]] == ["甲支部第一党小组"]


def test_sibling_and_ancestor_levels_are_refused(tree, users, client_for):
    client = client_for(users.secretary_a)
    assert client.get(reverse(URL), {"parent": tree.branch_b.pk}).status_code == 404  # the sibling branch
    assert client.get(reverse(URL), {"parent": tree.street_a.pk}).status_code == 404  # above the user
    client = client_for(users.district_b_staff)
    assert client.get(reverse(URL), {"parent": tree.district_a.pk}).status_code == 404


def test_bad_parameters_and_anonymous(tree, users, client_for, client):
    assert client.get(reverse(URL)).status_code == 401
    client = client_for(users.city_staff)
    for params in (
        {"parent": "x"},
        {"parent": "9" * 30},
        {"parent": "²"},
        {"offset": "-1"},
        {"offset": "1e9"},
        {"offset": "①"},
    ):
        response = client.get(reverse(URL), params)
        assert response.status_code == 400 and "参数" in response.json()["detail"]


def test_a_large_level_is_paged(tree, users, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "PICKER_PAGE", 2)
    for i in range(3):
        make_org(tree.branch_b, kind="party_group", name=f"乙支部第{i + 1}党小组")
    client = client_for(users.street_staff)
    first = _level(client, parent=tree.branch_b.pk)
    assert len(first["results"]) == 2 and first["more"] is True and first["next_offset"] == 2
    rest = _level(client, parent=tree.branch_b.pk, offset=2)
    assert len(rest["results"]) == 1 and rest["more"] is False
    names = [o["name"] for o in first["results"] + rest["results"]]
    assert sorted(names) == ["乙支部第1党小组", "乙支部第2党小组", "乙支部第3党小组"]


def test_dissolved_organizations_are_not_offered(tree, users, client_for):
    from apps.organizations.models import Organization

    Organization.objects.filter(pk=tree.branch_b.pk).update(is_active=False)
    names = [o["name"] for o in _level(client_for(users.street_staff), parent=tree.street_a.pk)["results"]]
    assert names == ["甲支部"]


def test_one_level_costs_a_bounded_number_of_queries(tree, users, client_for, django_assert_max_num_queries):
    for _ in range(5):
        make_org(tree.street_a, kind="branch")
    client = client_for(users.city_staff)
    client.get(reverse(URL))  # session and user loaded once
    with django_assert_max_num_queries(5):
        data = _level(client, parent=tree.street_a.pk)
    assert len(data["results"]) == 7


def test_filter_panel_shows_the_chosen_organization_by_name(tree, users, client_for):
    client = client_for(users.city_staff)
    response = client.get(reverse("responsibility:item_list"), {"within": tree.street_a.code})
    html = response.content.decode()
    assert "data-org-picker-widget" in html and 'value="甲街道党工委"' in html
    assert "所属党组织（含下级）：甲街道党工委" in html  # the chip
    assert "within_search" in html


def test_filter_panel_never_names_an_out_of_scope_code(tree, users, client_for):
    client = client_for(users.secretary_a)
    response = client.get(reverse("responsibility:item_list"), {"within": tree.branch_b.code})
    html = response.content.decode()
    assert "乙支部" not in html


def test_removing_the_chip_also_drops_the_search_text(tree, users, client_for):
    client = client_for(users.city_staff)
    response = client.get(
        reverse("responsibility:item_list"), {"within": tree.street_a.code, "within_search": "甲街道党工委"}
    )
    html = response.content.decode()
    chip = html.split('class="filter-chip"', 1)[1].split("</span>", 1)[0]
    assert "within" not in chip.split('href="', 1)[1].split('"', 1)[0]


def test_a_typed_name_without_picking_is_resolved_in_scope(tree, users, client_for):
    from apps.responsibility.filters import TaskItemFilterSet
    from apps.responsibility.models import TaskItem

    class Request:
        user = users.street_staff

    def cleaned(value):
        fs = TaskItemFilterSet({"within_search": value}, queryset=TaskItem.objects.none(), request=Request())
        return fs.is_valid(), fs.form.cleaned_data.get("within"), fs.form.errors

    assert cleaned("甲支部")[:2] == (True, tree.branch_a.code)
    ok, _value, errors = cleaned("丙支部")  # another district's branch: not found, named on the field
    assert not ok and "找不到该党组织" in str(errors["within"])
    ok, _value, errors = cleaned("支部")  # ambiguous fragment
    assert not ok


def test_an_out_of_scope_code_is_an_error_on_the_field(tree, users, client_for):
    response = client_for(users.secretary_a).get(reverse("responsibility:item_list"), {"within": tree.branch_b.code})
    html = response.content.decode()
    assert "所属党组织（含下级）：找不到该党组织" in html


@pytest.mark.parametrize("value", ["²", "①", "٣x", "9" * 30])
def test_digit_like_text_in_an_organization_filter_is_a_field_error_not_a_crash(tree, users, client_for, value):
    """``str.isdigit`` accepts superscripts and circled numbers that ``int`` refuses (found by the API fuzzer)."""
    client = client_for(users.city_staff)
    response = client.get("/api/v1/organizations/", {"parent_code": value, "within_code": value})
    assert response.status_code == 400 and "parent_code" in response.json()
    html = client.get(reverse("responsibility:item_list"), {"within": value}).content.decode()
    assert "找不到该党组织" in html


def test_is_digits_accepts_only_ascii_numbers_that_fit():
    from apps.core.text import is_digits

    assert is_digits("12") and is_digits("9" * 15) and is_digits("9" * 18, 18)
    assert not any(is_digits(v) for v in ("", "²", "①", "٣", "-1", "1.0", "9" * 16, " 1"))
