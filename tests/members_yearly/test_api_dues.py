import datetime
from decimal import Decimal

import pytest

from apps.core.periods import Period
from apps.members.dues_models import DuesPayment
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
LAST = Period.current().previous()


def test_secretary_posts_a_base_and_a_payment_and_lists_them(tree, users, api_for):
    m = make_member(tree.branch_a)
    api = api_for(users.secretary_a)
    r = api.post(
        "/api/v1/members/dues-bases/",
        {"member": m.pk, "year": LAST.year, "category": "employed", "base": "5000.01"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["monthly_amount"] == "75.00"
    r = api.post(
        "/api/v1/members/dues-payments/",
        {"member": m.pk, "month": str(LAST), "amount": "75", "method": "online", "paid_on": str(datetime.date.today())},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert api.get("/api/v1/members/dues-payments/").json()["count"] == 1
    assert api.get("/api/v1/members/dues-bases/").json()["count"] == 1


def test_api_refuses_bad_base_with_chinese_message(tree, users, api_for):
    m = make_member(tree.branch_a)
    r = api_for(users.secretary_a).post(
        "/api/v1/members/dues-bases/",
        {"member": m.pk, "year": LAST.year, "category": "employed", "base": "4000", "reduction": "exempt"},
        format="json",
    )
    assert r.status_code == 400
    assert "上级党组织批准" in str(r.json())


def test_sibling_branch_is_refused_in_the_dues_api(tree, users, api_for):
    m = make_member(tree.branch_a)
    p = DuesPayment.objects.create(
        member=m,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=LAST.first_day,
        amount=Decimal("5"),
        method="cash",
        paid_on=datetime.date.today(),
    )
    api = api_for(users.secretary_b)
    assert api.get("/api/v1/members/dues-payments/").json()["count"] == 0
    assert api.get(f"/api/v1/members/dues-payments/{p.pk}/").status_code == 404
    r = api.post(
        "/api/v1/members/dues-payments/",
        {"member": m.pk, "month": str(LAST), "amount": "5", "method": "cash", "paid_on": str(datetime.date.today())},
        format="json",
    )
    assert r.status_code == 404
    r = api.post(
        "/api/v1/members/dues-bases/",
        {"member": m.pk, "year": LAST.year, "category": "student", "base": "0"},
        format="json",
    )
    assert r.status_code == 404
