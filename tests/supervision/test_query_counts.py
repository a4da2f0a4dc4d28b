"""Each list page and API list runs the same number of queries for 3 rows as for 30."""

import pytest
from django.urls import reverse

from apps.supervision.models import Accountability, ObservationVisit
from tests.factories.organizations import make_org
from tests.factories.supervision import make_letter, make_plan
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _branches(tree, n):
    return [make_org(tree.street_a, kind="branch") for _ in range(n)]


def _make(kind, tree, n):
    for org in _branches(tree, n):
        if kind == "letters":
            make_letter(tree.street_a, org)
        elif kind == "accountability":
            Accountability.objects.create(
                issuer=tree.street_a, organization=org, org_path=org.path, period="2026-11", basis="b"
            )
        elif kind == "inspections":
            make_plan(tree.street_a, org)
        elif kind == "observations":
            ObservationVisit.objects.create(organization=tree.street_a, title=f"观摩{org.pk}", period="2026-11")


def _count(fn):
    return count_queries(fn, warm=True)[0]


PAGES = [
    ("letters", "supervision:letter_list", "/api/v1/letters/"),
    ("accountability", "supervision:accountability_list", "/api/v1/accountabilities/"),
    ("inspections", "supervision:inspection_list", "/api/v1/inspections/"),
    ("observations", "supervision:observation_list", None),
    ("inspections", "supervision:inspection_list", "/api/v1/inspection-records/"),
]


@pytest.mark.parametrize(("kind", "page", "api"), PAGES)
def test_list_query_count_does_not_grow_with_rows(tree, users, client_for, api_for, kind, page, api):
    _make(kind, tree, 3)
    client = client_for(users.district_staff)
    few_page = _count(lambda: client.get(reverse(page)))
    few_api = _count(lambda: api_for(users.district_staff).get(api)) if api else 0
    _make(kind, tree, 30)
    many_page = _count(lambda: client.get(reverse(page)))
    many_api = _count(lambda: api_for(users.district_staff).get(api)) if api else 0
    assert few_page == many_page <= 14
    assert few_api == many_api <= 8
