"""Sibling organizations are refused in pages and the API; vouchers are not reachable out of scope."""

import pytest
from django.urls import reverse

from apps.funding.models import Expense

from .helpers import allocate, pdf, spend, this_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "120.00", vouchers=[pdf()])
    return a, e, e.vouchers.get()


def test_owner_reads_pages_api_and_voucher(ledger, users, client_for, api_for):
    a, e, v = ledger
    c = client_for(users.secretary_a)
    assert c.get(a.get_absolute_url()).status_code == 200
    assert c.get(e.get_absolute_url()).status_code == 200
    resp = c.get(reverse("funding:voucher_download", args=[v.pk]))
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    assert b"".join(resp.streaming_content).startswith(b"%PDF")
    assert v.file.url not in c.get(e.get_absolute_url()).content.decode()
    assert api_for(users.secretary_a).get(f"/api/v1/funding/expenses/{e.pk}/").status_code == 200


def test_sibling_branch_gets_404_on_pages(ledger, users, client_for, tree):
    a, e, v = ledger
    c = client_for(users.secretary_b)
    for url in (
        a.get_absolute_url(),
        e.get_absolute_url(),
        reverse("funding:voucher_download", args=[v.pk]),
        reverse("funding:notice_detail", args=[a.notice_id]),
        reverse("funding:expense_reverse", args=[e.pk]),
        reverse("funding:execution") + f"?org={tree.branch_a.pk}",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("funding:voucher_upload", args=[e.pk]), {"file": pdf()}).status_code == 404
    assert "主题党日活动" not in c.get(reverse("funding:expense_list")).content.decode()
    assert tree.branch_a.name not in c.get(reverse("funding:allocation_list")).content.decode()
    assert "主题党日活动".encode() not in c.get(reverse("funding:expense_list") + "?format=xlsx").content


def test_sibling_branch_gets_404_in_the_api(ledger, users, api_for, tree):
    a, e, _v = ledger
    api = api_for(users.secretary_b)
    assert api.get(f"/api/v1/funding/expenses/{e.pk}/").status_code == 404
    assert api.get(f"/api/v1/funding/allocations/{a.pk}/").status_code == 404
    assert api.post(f"/api/v1/funding/expenses/{e.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert (
        api.post(f"/api/v1/funding/expenses/{e.pk}/vouchers/", {"file": pdf()}, format="multipart").status_code == 404
    )
    assert api.get("/api/v1/funding/expenses/").json()["count"] == 0
    assert api.get("/api/v1/funding/allocations/").json()["count"] == 0
    assert api.get(f"/api/v1/funding/execution/?org={tree.branch_a.pk}").status_code == 404
    resp = api.post(
        "/api/v1/funding/expenses/",
        {"allocation": a.pk, "spent_on": str(e.spent_on), "category": "activity", "amount": "1.00",
         "payee": "x", "purpose": "y", "approved_by": "z"},
        format="multipart",
    )  # fmt: skip
    assert resp.status_code == 404
    assert Expense.objects.count() == 1


def test_sibling_district_staff_cannot_allocate_into_another_district(ledger, users, api_for, tree):
    api = api_for(users.district_b_staff)
    resp = api.post(
        "/api/v1/funding/allocations/",
        {"issuer": tree.district_a.pk, "organization": tree.branch_a.pk, "year": this_year(), "source": "fiscal",
         "amount": "10", "basis": "x"},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 404


def test_street_sees_both_branches_and_the_voucher(ledger, users, client_for):
    a, _e, v = ledger
    c = client_for(users.street_staff)
    assert c.get(reverse("funding:voucher_download", args=[v.pk])).status_code == 200
    assert c.get(reverse("funding:notice_detail", args=[a.notice_id])).status_code == 200
