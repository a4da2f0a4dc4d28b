"""The expense review workflow (经办 → 审核 by the level above): money held on submission, posted on approval,
released on return (reason required), resubmission, the trail, notices, and who may review."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import AuditLog
from apps.funding import services
from apps.funding.models import Allocation, Expense, FundingRollup
from apps.notifications.models import Notice

from .helpers import allocate, pdf, spend, this_year

pytestmark = pytest.mark.django_db


def _spent(org) -> Decimal:
    rows = FundingRollup.objects.filter(organization=org, year=this_year())
    return sum((r.spent for r in rows), Decimal("0"))


def _day(a):
    today = datetime.date.today()
    return today if today.year == a.year else datetime.date(a.year, 6, 1)


def test_submission_holds_money_and_approval_posts_it_with_trail_audit_and_notices(
    tree, users, django_capture_on_commit_callbacks
):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    with django_capture_on_commit_callbacks(execute=True):
        e = spend(users.secretary_a, a, "600.00", review=False)
    a.refresh_from_db()
    assert e.status == "submitted" and a.pending == Decimal("600.00") and a.spent == 0
    assert a.remaining == Decimal("400.00") and _spent(tree.street_a) == 0  # not in the execution rate yet
    assert Notice.objects.filter(recipient=users.street_staff, link=e.get_absolute_url()).exists()  # level above
    with pytest.raises(ValidationError) as exc:  # the held money counts: no overdraw through pending entries
        spend(users.secretary_a, a, "400.01", review=False)
    assert "amount" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.expense_review(acting_user=users.street_staff, expense=e, approve=True)
    a.refresh_from_db()
    e.refresh_from_db()
    assert e.status == "posted" and e.reviewed_by == users.street_staff and e.reviewed_at is not None
    assert a.pending == 0 and a.spent == Decimal("600.00")
    assert _spent(tree.branch_a) == _spent(tree.street_a) == _spent(tree.city) == Decimal("600.00")
    assert [r.action for r in e.reviews.order_by("id")] == ["submit", "approve"]
    assert AuditLog.objects.filter(event="expense.approve", object_id=str(e.pk)).exists()
    assert Notice.objects.filter(recipient=users.secretary_a, title__contains="审核通过").exists()
    with pytest.raises(ValidationError):  # approved once: never again
        services.expense_review(acting_user=users.street_staff, expense=e, approve=True)


def test_return_needs_a_reason_releases_the_money_and_a_corrected_entry_is_resubmitted(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "300.00", review=False)
    with pytest.raises(ValidationError) as exc:
        services.expense_review(acting_user=users.street_staff, expense=e, approve=False, comment=" ")
    assert "comment" in exc.value.message_dict
    services.expense_review(acting_user=users.street_staff, expense=e, approve=False, comment="发票抬头不符")
    a.refresh_from_db()
    e.refresh_from_db()
    assert e.status == "returned" and e.review_comment == "发票抬头不符" and a.pending == 0 and a.spent == 0
    with pytest.raises(ValidationError):  # a returned entry is not a ledger entry: nothing to reverse
        services.expense_reverse(acting_user=users.secretary_a, expense=e, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.expense_resubmit(acting_user=users.secretary_a, expense=e, spent_on=_day(a), category="activity",
                                  amount="1000.01", payee="基地", purpose="活动", approved_by="张书记")  # fmt: skip
    assert "amount" in exc.value.message_dict
    services.expense_resubmit(acting_user=users.secretary_a, expense=e, spent_on=_day(a), category="training",
                              amount="250.00", payee="基地", purpose="培训", approved_by="张书记")  # fmt: skip
    e.refresh_from_db()
    a.refresh_from_db()
    assert e.status == "submitted" and e.amount == Decimal("250.00") and a.pending == Decimal("250.00")
    services.expense_review(acting_user=users.district_staff, expense=e, approve=True)  # any level above
    assert [r.action for r in e.reviews.order_by("id")] == ["submit", "return", "resubmit", "approve"]
    with pytest.raises(ValidationError):  # approved: no more resubmission (corrections are reversals)
        services.expense_resubmit(acting_user=users.secretary_a, expense=e, spent_on=_day(a), category="training",
                                  amount="1", payee="基地", purpose="培训", approved_by="张书记")  # fmt: skip


def test_who_may_review_level_above_only_never_self_never_a_sibling(tree, users):
    from tests.factories.accounts import make_user

    a = allocate(users.district_staff, tree.district_a, tree.street_a, "1000.00")
    own = services.expense_create(acting_user=users.street_staff, allocation=a, spent_on=_day(a), category="office",
                                  amount="10", payee="文具店", purpose="办公用品", approved_by="王主任")  # fmt: skip
    with pytest.raises(PermissionDenied):  # the street's own expense: reviewed by the district, not the street
        services.expense_review(acting_user=make_user(tree.street_a, "org_staff", username="s2"), expense=own,
                                approve=True)  # fmt: skip
    b = allocate(users.street_staff, tree.street_a, tree.branch_a, "100.00")
    mine = services.expense_create(acting_user=users.street_staff, allocation=b, spent_on=_day(b), category="office",
                                   amount="10", payee="文具店", purpose="代录", approved_by="王主任")  # fmt: skip
    with pytest.raises(PermissionDenied):  # recorded it: may not approve it
        services.expense_review(acting_user=users.street_staff, expense=mine, approve=True)
    with pytest.raises(PermissionDenied):  # a branch secretary holds no review permission
        services.expense_review(acting_user=users.secretary_b, expense=mine, approve=True)
    with pytest.raises(PermissionDenied):  # the sibling district
        services.expense_review(acting_user=users.district_b_staff, expense=mine, approve=True)
    services.expense_review(acting_user=users.district_staff, expense=own, approve=True)
    assert Expense.objects.get(pk=own.pk).status == "posted"


def test_pages_queue_review_and_resubmit_and_sibling_refused(tree, users, client_for, django_assert_max_num_queries):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "120.00", review=False, vouchers=[pdf()])
    for _i in range(5):
        spend(users.secretary_a, a, "1.00", review=False, category="office")
    c = client_for(users.street_staff)
    with django_assert_max_num_queries(20):
        html = c.get(reverse("funding:review_queue")).content.decode()
    assert html.count("查看并审核") == 6
    page = c.get(e.get_absolute_url()).content.decode()
    assert 'id="review-form"' in page and "经办提交" in page
    resp = c.post(reverse("funding:expense_review", args=[e.pk]), {"return": "1", "comment": "请补充签字"})
    assert resp.status_code == 302 and Expense.objects.get(pk=e.pk).status == "returned"
    sec = client_for(users.secretary_a)
    page = sec.get(e.get_absolute_url()).content.decode()
    assert "请补充签字" in page and 'id="review-form"' not in page
    resp = sec.post(
        reverse("funding:expense_resubmit", args=[e.pk]),
        {"spent_on": _day(a).isoformat(), "category": "activity", "amount": "110.00", "payee": "基地",
         "purpose": "主题党日", "approved_by": "张书记"},
    )  # fmt: skip
    assert resp.status_code == 302 and Expense.objects.get(pk=e.pk).status == "submitted"
    assert sec.get(reverse("funding:review_queue")).status_code == 403  # no review permission
    other = client_for(users.district_b_staff)
    assert other.get(e.get_absolute_url()).status_code == 404
    assert other.post(reverse("funding:expense_review", args=[e.pk]), {"approve": "1"}).status_code == 404
    assert other.get(reverse("funding:expense_resubmit", args=[e.pk])).status_code == 404
    assert "查看并审核" not in other.get(reverse("funding:review_queue")).content.decode()
    assert Expense.objects.get(pk=e.pk).status == "submitted"


def test_api_review_resubmit_and_trail_refused_to_a_sibling(tree, users, api_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "50.00", review=False)
    other = api_for(users.district_b_staff)
    for path, data in ((f"/api/v1/funding/expenses/{e.pk}/review/", {"approve": True}),
                       (f"/api/v1/funding/expenses/{e.pk}/resubmit/", {})):  # fmt: skip
        assert other.post(path, data, format="json").status_code == 404
    assert other.get(f"/api/v1/funding/expenses/{e.pk}/reviews/").status_code == 404
    street = api_for(users.street_staff)
    resp = street.post(f"/api/v1/funding/expenses/{e.pk}/review/", {"approve": False}, format="json")
    assert resp.status_code == 400 and "comment" in resp.json()
    resp = street.post(f"/api/v1/funding/expenses/{e.pk}/review/", {"approve": False, "comment": "金额有误"},
                       format="json")  # fmt: skip
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert resp.json()["review_comment"] == "金额有误"
    resp = api_for(users.secretary_a).post(
        f"/api/v1/funding/expenses/{e.pk}/resubmit/",
        {"spent_on": _day(a).isoformat(), "category": "activity", "amount": "45.00", "payee": "x", "purpose": "y",
         "approved_by": "z"},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 200 and resp.json()["status"] == "submitted" and resp.json()["amount"] == "45.00"
    assert Allocation.objects.get(pk=a.pk).pending == Decimal("45.00")
    trail = street.get(f"/api/v1/funding/expenses/{e.pk}/reviews/").json()
    assert [t["action"] for t in trail] == ["submit", "return", "resubmit"] and trail[1]["comment"] == "金额有误"


def test_funding_standards_on_the_settings_hub(tree, users, client_for):
    section = "本地区各类党组织、党员、示范点的年度经费标准"  # the section's description on the hub
    assert section in client_for(users.city_staff).get("/settings/").content.decode()
    assert section not in client_for(users.secretary_a).get("/settings/").content.decode()
