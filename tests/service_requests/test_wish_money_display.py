"""微心愿 budgets read with a thousands separator (docs/ui.md): the list's 预算合计 said 35650.00 元."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.service_requests import services

pytestmark = pytest.mark.django_db


def test_wish_budgets_group_thousands(tree, sr, client_for):
    wish = services.wish_create(
        acting_user=sr.worker_a, organization=tree.branch_a, title="助学", budget=Decimal("12345")
    )
    client = client_for(sr.worker_a)
    html = client.get(reverse("service_requests:wish_list")).content.decode()
    assert "<strong>12,345.00</strong>" in html  # 预算合计
    assert re.search(r'<td class="text-end">12,345\.00</td>', html)
    assert "12,345.00 元" in client.get(wish.get_absolute_url()).content.decode()
