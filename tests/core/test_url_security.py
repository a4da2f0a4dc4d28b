"""Every URL the project serves refuses anonymous users (except the login page): a safety net for new views."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"accounts/login/", "api/v1/auth/token/", "favicon.ico"}
SKIP_PREFIXES = ("admin/", "media/", "static/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:\w+>", "999999", route)
    route = re.sub(r"<(?:str|slug|path|uuid):?\w*>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # DRF router regex groups
    route = route.replace("\\.", ".").replace("/?", "/")
    return "/" + route


ROUTES = sorted({r for r in _walk(get_resolver().url_patterns) if not r.startswith(SKIP_PREFIXES)})


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_user_is_refused(client, route):
    if route in PUBLIC or "(?P<format>" in route or "\\.(?P" in route:
        pytest.skip("public or format-suffix route")
    url = _concrete(route)
    resp = client.get(url)
    assert resp.status_code in (301, 302, 401, 403, 404, 405), f"{url} answered {resp.status_code} to anonymous"
    if resp.status_code in (301, 302):
        assert "/accounts/login/" in resp["Location"] or resp["Location"].endswith("/"), resp["Location"]
