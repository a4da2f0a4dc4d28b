"""The yearly summary per level (each branch / community … of a scope: got, spent, rate), page and export."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .helpers import allocate, spend

pytestmark = pytest.mark.django_db


def test_level_summary_lists_each_org_of_the_kind_with_got_and_spent(
    tree, users, client_for, django_assert_max_num_queries
):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    allocate(users.district_staff, tree.district_a, tree.branch_a, "500.00", source="special")
    spend(users.secretary_a, a, "300.00")
    allocate(users.city_staff, tree.city, tree.branch_c, "800.00")
    c = client_for(users.district_staff)
    url = reverse("funding:level_summary") + "?kind=branch"
    with django_assert_max_num_queries(20):
        html = c.get(url).content.decode()
    assert f'data-org-id="{tree.branch_a.pk}"' in html and f'data-org-id="{tree.branch_b.pk}"' in html
    assert f'data-org-id="{tree.branch_c.pk}"' not in html  # the other district's branch: out of scope
    assert "1,500.00" in html and "300.00" in html and "20.0%" in html
    resp = c.get(url + "&format=xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    got = {r[0]: r for r in rows[1:]}
    assert Decimal(str(got["甲支部"][2])) == Decimal("1500") and Decimal(str(got["甲支部"][3])) == Decimal("300")
    assert "丙支部" not in got
    sibling = client_for(users.district_b_staff)
    assert sibling.get(reverse("funding:level_summary") + f"?org={tree.district_a.pk}").status_code == 404
    assert f'data-org-id="{tree.branch_a.pk}"' not in sibling.get(url).content.decode()
