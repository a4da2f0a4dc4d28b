import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "登录党建工作管理平台" in html and "用户名" in html


def test_pages_redirect_anonymous_users_to_login(client, tree):
    resp = client.get(reverse("organizations:organization_tree"))
    assert resp.status_code == 302 and reverse("accounts:login") in resp["Location"]


def test_wrong_password_shows_chinese_error(client, users):
    resp = client.post(reverse("accounts:login"), {"username": "city_staff", "password": "nope"})
    assert resp.status_code == 200
    assert "用户名或密码不正确" in resp.content.decode()


def test_login_with_right_password_lands_on_home(client, users):
    resp = client.post(reverse("accounts:login"), {"username": "city_staff", "password": "pw-Test-1234"}, follow=True)
    assert resp.status_code == 200
    assert "测试市委" in resp.content.decode()


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_lockout_is_by_username_and_ip_not_ip_alone(client, users):
    from axes.utils import reset

    reset()
    login = reverse("accounts:login")
    for _ in range(3):
        client.post(login, {"username": "city_staff", "password": "bad"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(login, {"username": "city_staff", "password": "pw-Test-1234"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # A colleague behind the same NAT address still logs in.
    other = client.post(login, {"username": "leader", "password": "pw-Test-1234"}, REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 302
    client.logout()
    # The same user from another address is not locked either.
    elsewhere = client.post(login, {"username": "city_staff", "password": "pw-Test-1234"}, REMOTE_ADDR="10.0.0.2")
    assert elsewhere.status_code == 302
    reset()


def test_api_token_auth(users):
    from rest_framework.test import APIClient

    api = APIClient()
    resp = api.post("/api/v1/auth/token/", {"username": "district_staff", "password": "pw-Test-1234"})
    assert resp.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {resp.data['token']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.data["organization_name"] == "甲区委"


def test_api_requires_authentication(tree):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/organizations/").status_code in (401, 403)


def test_roles_are_groups_with_permissions(users):
    assert users.leader.has_perm("organizations.view_organization")
    assert not users.leader.has_perm("organizations.change_organization")
    assert users.district_staff.has_perm("organizations.add_organization")
    assert not users.secretary_a.has_perm("organizations.add_organization")
    assert users.roster_admin.has_perm("accounts.view_full_pii")
    assert not users.district_staff.has_perm("accounts.view_full_pii")
