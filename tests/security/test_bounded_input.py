"""Findings 6 and 8: ratings from above only; bounded input everywhere; no debug pages."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.factories.supervision import make_letter

pytestmark = pytest.mark.django_db


def test_an_organization_cannot_rate_itself_through_the_api(api_for, users, tree):
    resp = api_for(users.street_staff).patch(
        f"/api/v1/organizations/{tree.street_a.pk}/", {"grade": "advanced", "star_rating": 5}, format="json"
    )
    assert resp.status_code == 400
    assert "上级" in json.dumps(resp.json(), ensure_ascii=False)
    tree.street_a.refresh_from_db()
    assert tree.street_a.grade != "advanced"


def test_the_level_above_rates_a_child(api_for, users, tree):
    resp = api_for(users.street_staff).patch(
        f"/api/v1/organizations/{tree.branch_a.pk}/", {"star_rating": 4}, format="json"
    )
    assert resp.status_code == 200, resp.content
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.star_rating == 4


def test_the_edit_page_shows_own_rating_fields_disabled(client_for, users, tree):
    html = (
        client_for(users.street_staff)
        .get(reverse("organizations:organization_update", args=[tree.street_a.pk]))
        .content.decode()
    )
    assert 'name="grade"' in html and "由上级党组织评定" in html


@pytest.mark.parametrize("param", ["parent", "within"])
def test_a_26_digit_id_filter_is_a_400_with_a_chinese_message(api_for, users, param):
    resp = api_for(users.city_staff).get("/api/v1/organizations/", {param: "9" * 26})
    assert resp.status_code == 400
    assert "小于或等于" in json.dumps(resp.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/letters/", "addressee"),
        ("/api/v1/letters/", "issuer"),
        ("/api/v1/responsibility/tasks/", "issuance"),
        ("/api/v1/organizations/", "parent"),
    ],
)
@pytest.mark.parametrize("value", ["1e30", "99999999999999999999999999", "0.5", "abc"])
def test_integer_filters_never_overflow(api_for, users, url, param, value):
    resp = api_for(users.city_staff).get(url, {param: value})
    assert resp.status_code == 400, (url, param, value, resp.status_code)


def test_year_must_be_an_integer(api_for, users):
    assert api_for(users.city_staff).get("/api/v1/responsibility/tasks/", {"year": "0.5"}).status_code == 400


def test_pages_show_the_filter_error_instead_of_crashing(client_for, users):
    resp = client_for(users.city_staff).get(reverse("supervision:letter_list"), {"addressee": "9" * 26})
    assert resp.status_code == 200


def test_deeply_nested_json_is_a_400(api_for, users, tree):
    body = "[" * 5000 + "]" * 5000
    resp = api_for(users.city_staff).generic(
        "PATCH", f"/api/v1/organizations/{tree.branch_a.pk}/", body, content_type="application/json"
    )
    assert resp.status_code == 400
    assert "嵌套" in resp.json()["detail"]


@pytest.mark.parametrize("body", ["null", "0", "true", "[{}]", '"e"'])
def test_a_non_object_json_body_is_a_400(api_for, users, tree, body):
    resp = api_for(users.city_staff).generic(
        "PATCH", f"/api/v1/organizations/{tree.branch_a.pk}/", body, content_type="application/json"
    )
    assert resp.status_code == 400
    assert "JSON 对象" in resp.json()["detail"]


def test_a_huge_json_body_is_refused(api_for, users, tree):
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    resp = api_for(users.city_staff).generic(
        "PATCH", f"/api/v1/organizations/{tree.branch_a.pk}/", body, content_type="application/json"
    )
    assert resp.status_code in (400, 413)


def test_text_fields_have_a_maximum_length(api_for, users, tree):
    from apps.responsibility.models import TaskItem

    letter = make_letter(tree.street_a, tree.branch_a)
    resp = api_for(users.secretary_a).post(
        f"/api/v1/letters/{letter.pk}/answer/", {"answer": "答" * 20001}, format="json"
    )
    assert resp.status_code == 400 and "answer" in resp.json()
    field = TaskItem._meta.get_field("evidence")
    assert any(getattr(v, "limit_value", None) == 20000 for v in field.validators)


def test_a_letter_has_at_most_200_items(api_for, users, tree):
    resp = api_for(users.street_staff).post(
        "/api/v1/letters/",
        {"addressee": tree.branch_a.pk, "kind": "reminder", "period": "2026-11", "items": ["事项"] * 201},
        format="json",
    )
    assert resp.status_code == 400 and "items" in resp.json()


def test_page_parameters_are_strict(api_for, users):
    api = api_for(users.city_staff)
    assert api.get("/api/v1/organizations/", {"page": "AAA"}).status_code == 404
    assert api.get("/api/v1/organizations/", {"page": "0"}).status_code == 404
    assert api.get("/api/v1/organizations/", {"page_size": "100000"}).status_code == 400
    assert api.get("/api/v1/organizations/", {"page_size": "200"}).status_code == 200


def test_debug_is_off_unless_asked_for():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "from dangjian.settings import base; print(base.DEBUG)"],
        capture_output=True,
        text=True,
        env={k: v for k, v in __import__("os").environ.items() if k != "DEBUG"},
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_not_found_and_server_error_pages_are_chinese(client, settings):
    settings.DEBUG = False
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "未找到" in html and "URLconf" not in html and "api/v1/" not in html
    from django.test import RequestFactory

    from apps.core.views import server_error_view

    error = server_error_view(RequestFactory().get("/"))
    assert error.status_code == 500 and "服务器错误" in error.content.decode()


def test_forbidden_and_out_of_scope_pages_are_chinese(users, tree, client_for, settings):
    """A role without the permission gets the Chinese 403 page (no English "Forbidden"); an object outside the
    scope is the Chinese 404 page, the same as an object that does not exist."""
    settings.DEBUG = False
    client = client_for(users.secretary_a)
    resp = client.get(reverse("accounts:user_list"))
    html = resp.content.decode()
    assert resp.status_code == 403 and "无权访问" in html and "Forbidden" not in html
    resp = client.get(reverse("organizations:organization_detail", args=[tree.branch_b.pk]))
    assert resp.status_code == 404 and "页面不存在，或不在您的管理范围内" in resp.content.decode()
