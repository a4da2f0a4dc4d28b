"""Finding 9 and 11 (sessions, CSP): throttles, tokens that die, password changes, idle sessions, CSP."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from apps.accounts.services import user_create

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Test-1234"


@pytest.fixture
def low_rates(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    rates = {"anon": "3/min", "user": "3/min", "login": "2/min"}
    for cls in (AnonRateThrottle, UserRateThrottle, ScopedRateThrottle):
        monkeypatch.setattr(cls, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def _token(username: str, password: str = PASSWORD) -> str:
    resp = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert resp.status_code == 200, resp.content
    return resp.json()["token"]


def test_the_login_throttle_answers_429(users, low_rates):
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/token/", {"username": "leader", "password": "wrong"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429 and 400 in codes


def test_the_per_user_throttle_answers_429(users, low_rates):
    api = APIClient()
    api.force_authenticate(users.leader)
    codes = [api.get("/api/v1/me/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_a_token_dies_on_logout(client, users):
    key = _token("leader")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(users.leader)
    client.post(reverse("accounts:logout"))
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(key=key).exists()


def test_a_token_dies_on_password_change(client, users):
    key = _token("leader")
    client.force_login(users.leader)
    resp = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    assert resp.status_code == 302
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401
    users.leader.refresh_from_db()
    assert users.leader.check_password("Another-Pass-2026")
    assert client.get(reverse("core:home")).status_code == 200  # this session stays logged in


def test_the_password_change_page_applies_the_validators(client, users):
    client.force_login(users.leader)
    html = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "1", "new_password2": "1"},
    ).content.decode()
    assert ("密码" in html and "errorlist" in html) or "invalid-feedback" in html
    users.leader.refresh_from_db()
    assert users.leader.check_password(PASSWORD)


def test_an_expired_token_is_refused_and_a_new_one_issued(users, settings):
    key = _token("leader")
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=8))
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401
    assert _token("leader") != key


def test_user_create_applies_the_password_validators(tree):
    with pytest.raises(ValidationError):
        user_create(acting_user=None, username="weak", password="1", role="leader", organization=tree.city)


def test_an_idle_session_is_logged_out(client, users, settings):
    from apps.core.middleware import SESSION_ACTIVITY_KEY

    client.force_login(users.leader)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[SESSION_ACTIVITY_KEY] = int(timezone.now().timestamp()) - 31 * 60
    session.save()
    resp = client.get(reverse("core:home"))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_sessions_have_an_absolute_lifetime_under_a_day(settings):
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_IDLE_MINUTES == 30


def test_a_strict_csp_header_is_on_every_page(client, users):
    client.force_login(users.leader)
    for url in (reverse("core:home"), reverse("accounts:password_change"), "/api/docs/", "/api/v1/me/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_no_template_has_inline_scripts_styles_or_handlers():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    for path in root.rglob("*.html"):
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(root)}: {m.group(0)}")
    assert offenders == []


def test_swagger_ui_loads_its_init_script_from_a_file(client, users):
    client.force_login(users.leader)
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    src = re.findall(r'<script src="([^"]+\?script[^"]*)"', html)[0].replace("&amp;", "&")
    init = client.get(src)
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
