"""Money reads with a thousands separator everywhere people see it (docs/ui.md): the 经费执行 page printed
2165500.00 in its figures and tables, and an allocation's name (drop-downs, the audit log) 3000.00元."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.funding.models import Allocation, money

from .helpers import allocate, spend

pytestmark = pytest.mark.django_db


def test_execution_page_groups_thousands_in_figures_and_tables(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1234567.00")
    spend(users.secretary_a, a, "4321.50")
    html = (
        client_for(users.street_staff).get(reverse("funding:execution") + f"?org={tree.street_a.pk}").content.decode()
    )
    assert re.search(r'data-stat="allocated">1,234,567\.00<', html)
    assert re.search(r'data-stat="spent">4,321\.50<', html)
    assert re.search(r'data-stat="remaining">1,230,245\.50<', html)
    row = re.search(rf'<tr data-org-id="{tree.branch_a.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "1,234,567.00" in row and "4,321.50" in row
    assert not re.search(r">\s*\d{4,}\.\d{2}\s*<", html)  # no ungrouped amount left anywhere on the page


def test_an_allocation_s_name_groups_thousands(tree):
    name = str(Allocation(year=2026, source="fiscal", amount=Decimal("3000"), organization=tree.branch_a))
    assert name.startswith("2026年") and "3,000.00元→甲支部" in name
    assert money(Decimal("-1234567.5")) == "-1,234,567.50" and money(None) == "None"


def test_home_panel_names_the_unit(tree, users, client_for):
    allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    html = client_for(users.secretary_a).get("/").content.decode()
    panel = re.search(r'id="funding-home-panel".*?</div>\s*</div>\s*</div>', html, re.S).group(0)
    assert "下拨（元）" in panel and "余额（元）" in panel and "1,000.00" in panel
