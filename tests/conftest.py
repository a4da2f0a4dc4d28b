"""A small tree and users of every role at several levels, including a sibling-branch user.

city (committee)
├── district_a (committee)
│   └── street_a (working committee)
│       ├── branch_a (branch) ── group_a (party group)
│       └── branch_b (branch)            ← the sibling
└── district_b (committee)
    └── branch_c (branch)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories.accounts import make_user
from tests.factories.organizations import make_org


@pytest.fixture
def tree(db):
    city = make_org(None, kind="committee", name="测试市委", sector="government", code="C0001")
    district_a = make_org(city, kind="committee", name="甲区委", sector="government", code="D000A")
    street_a = make_org(district_a, kind="working_committee", name="甲街道党工委", code="S000A")
    branch_a = make_org(street_a, kind="branch", name="甲支部", code="B000A")
    group_a = make_org(branch_a, kind="party_group", name="甲支部第一党小组", code="G000A")
    branch_b = make_org(street_a, kind="branch", name="乙支部", code="B000B")
    district_b = make_org(city, kind="committee", name="乙区委", sector="government", code="D000B")
    branch_c = make_org(district_b, kind="branch", name="丙支部", code="B000C")
    for org in (city, district_a, street_a, branch_a, branch_b):
        org.refresh_from_db()
    return SimpleNamespace(
        city=city,
        district_a=district_a,
        street_a=street_a,
        branch_a=branch_a,
        group_a=group_a,
        branch_b=branch_b,
        district_b=district_b,
        branch_c=branch_c,
    )


@pytest.fixture
def users(tree):
    return SimpleNamespace(
        admin=make_user(tree.city, "system_admin", username="admin", superuser=True),
        city_staff=make_user(tree.city, "org_staff", username="city_staff"),
        district_staff=make_user(tree.district_a, "org_staff", username="district_staff"),
        district_b_staff=make_user(tree.district_b, "org_staff", username="district_b_staff"),
        street_staff=make_user(tree.street_a, "committee_staff", username="street_staff"),
        secretary_a=make_user(tree.branch_a, "branch_secretary", username="secretary_a"),
        secretary_b=make_user(tree.branch_b, "branch_secretary", username="secretary_b"),
        inspector=make_user(tree.city, "inspector", username="inspector"),
        leader=make_user(tree.city, "leader", username="leader"),
        roster_admin=make_user(tree.district_a, "roster_admin", username="roster_admin"),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a Django test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def _login(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return _login


@pytest.fixture(autouse=True)
def _fresh_params():
    """Rule parameters are cached (Redis in CI); tests change them inside rolled-back transactions."""
    from apps.core.params import invalidate

    invalidate()
    yield
    invalidate()
