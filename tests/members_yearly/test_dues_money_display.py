"""A member's 党费 page shows amounts with a thousands separator and the unit in the header (docs/ui.md); the
base was 9800.00 and the arrears 2058.00, headers without 元."""

import datetime
import re
from decimal import Decimal

import pytest

from apps.core.periods import Period
from apps.members.dues_models import DuesPayment
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_member_dues_page_groups_thousands(tree, users, client_for):
    m = make_member(tree.branch_a)
    DuesPayment.objects.create(
        member=m,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=Period.current().previous().first_day,
        amount=Decimal("1234.5"),
        method="cash",
        paid_on=datetime.date.today(),
    )
    html = client_for(users.secretary_a).get(f"/members/{m.pk}/dues/").content.decode()
    assert ">1,234.50<" in html and "金额（元）" in html
    assert "基数（元）" in html and "每月应交（元）" in html
    assert not re.search(r">\s*\d{4,}\.\d{2}\s*<", html)
    assert "btn-outline-primary" not in html  # 登记党费基数 is a secondary action, not red
