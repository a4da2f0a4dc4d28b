"""The home page gathers a panel from every app (待办, 台账, 三函, 经费, 为民服务, 数据看板 …): its query count is
pinned per role and does not grow with the data under the user (issue 8's bounded queries per page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.organizations import make_org
from tests.factories.responsibility import make_task
from tests.factories.service_requests import make_category, make_request
from tests.factories.supervision import make_letter
from tests.funding.helpers import allocate, spend

pytestmark = pytest.mark.django_db
#: the most any role's home may take (a panel per app, each a fixed number of queries)
HOME_QUERY_CEILING = 20
ROLES = ["admin", "city_staff", "district_staff", "street_staff", "secretary_a", "leader", "inspector"]


def _count(client) -> int:
    client.get(reverse("core:home"))  # warm: the first request of a session also loads caches
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(reverse("core:home"))
    assert resp.status_code == 200
    return len(ctx)


def _more_work_under(tree, users, batch: int) -> None:
    """More of everything the panels count or list: branches, overdue tasks, letters, requests, money."""
    category = make_category(tree.street_a, name=f"民事代办{batch}")
    for i in range(4):
        branch = make_org(tree.street_a, kind="branch", name=f"加测支部{batch}-{i}")
        make_task(branch)
        make_letter(tree.street_a, branch, kind="supervision")
        make_request(users.street_staff, tree.street_a, category, phone=f"138{batch:04d}{i:04d}")
        allocate(users.street_staff, tree.street_a, branch, "800.00")
    allocation = allocate(users.street_staff, tree.street_a, tree.branch_a, "500.00")
    spend(users.secretary_a, allocation, "120.00")


def test_home_queries_are_bounded_and_do_not_grow_with_the_data(tree, users, client_for):
    _more_work_under(tree, users, 1)  # every panel has something to show (an empty panel may skip a query)
    before = {role: _count(client_for(getattr(users, role))) for role in ROLES}
    _more_work_under(tree, users, 2)
    after = {role: _count(client_for(getattr(users, role))) for role in ROLES}
    assert after == before, "a home panel's query count grew with the data"
    assert max(after.values()) <= HOME_QUERY_CEILING, after
