import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.funding import services
from apps.funding.models import Allocation, Expense, FundingStandard
from tests.factories.organizations import make_org

from .helpers import allocate, pdf, spend, this_year

pytestmark = pytest.mark.django_db


def test_execution_page_shows_children_rates_and_drills_down(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    allocate(users.street_staff, tree.street_a, tree.branch_b, "3000.00")
    spend(users.secretary_a, a, "250.00")
    c = client_for(users.district_staff)
    html = c.get(reverse("funding:execution")).content.decode()
    assert tree.street_a.name in html and "6.3%" in html  # 250 / 4000 for the district
    html = c.get(reverse("funding:execution") + f"?org={tree.street_a.pk}&year={this_year()}").content.decode()
    assert tree.branch_a.name in html and "25.0%" in html and "0.0%" in html
    assert f"?within={tree.branch_a.code}&year={this_year()}" in html  # drill-down to the expenses
    assert "---------" not in html


def test_every_table_exports_to_excel(tree, users, client_for):
    from openpyxl import load_workbook

    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "250.00")
    c = client_for(users.street_staff)
    urls = [
        reverse("funding:execution") + f"?format=xlsx&table={t}" for t in ("children", "source", "category", "month")
    ]
    urls += [reverse(n) + "?format=xlsx" for n in ("funding:standard_list", "funding:allocation_list",
                                                    "funding:expense_list", "funding:budget_list")]  # fmt: skip
    for url in urls:
        resp = c.get(url)
        assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment"), url
        load_workbook(io.BytesIO(resp.content))
    ws = load_workbook(io.BytesIO(c.get(urls[0]).content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == tree.branch_a.name and rows[1][2] == 1000 and rows[1][3] == 250 and rows[1][5] == 25.0


def test_notice_prints_in_official_layout_without_inline_styles_or_scripts(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    html = client_for(users.street_staff).get(reverse("funding:notice_detail", args=[a.notice_id])).content.decode()
    assert f"〔{this_year()}〕1号" in html and "funding-print.css" in html and 'class="doc-sign"' in html
    assert f"{this_year()}年1月5日" in html
    assert "<style" not in html and "style=" not in html and "onclick" not in html
    assert "<script>" not in html


def test_standard_pages_preview_and_commit_through_the_web(tree, users, client_for):
    c = client_for(users.city_staff)
    resp = c.post(
        reverse("funding:standard_create"),
        {"region": tree.city.code, "year": this_year(), "name": "支部工作经费", "basis": "per_org", "amount": "2000",
         "source": "fiscal", "target_kind": "branch", "top_level_only": "on"},
    )  # fmt: skip
    std = FundingStandard.objects.get(name="支部工作经费")
    assert resp.status_code == 302
    url = reverse("funding:allocation_preview") + f"?year={this_year()}"
    html = c.post(url, {"standards": [std.pk], "allocated_on": f"{this_year()}-02-01", "preview": "1"}).content.decode()
    assert "3个单位，合计 6,000.00 元" in html and "支部工作经费：1个 × 2,000元" in html
    assert not Allocation.objects.exists()
    resp = c.post(url, {"standards": [std.pk], "allocated_on": f"{this_year()}-02-01", "commit": "1"})
    assert resp.status_code == 302 and Allocation.objects.count() == 3


def test_expense_recorded_through_the_form_with_a_voucher(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    c = client_for(users.secretary_a)
    resp = c.post(
        reverse("funding:expense_create"),
        {"allocation": a.pk, "spent_on": datetime.date.today().isoformat() if this_year() == datetime.date.today().year
         else f"{this_year()}-06-01", "category": "training", "amount": "88.50", "payee": "书店", "purpose": "学习资料",
         "approved_by": "张书记", "vouchers": [pdf("a.pdf"), pdf("b.pdf")]},
    )  # fmt: skip
    assert resp.status_code == 302
    e = Expense.objects.get()
    assert e.amount == Decimal("88.50") and e.voucher_count == 2
    resp = c.post(reverse("funding:expense_create"), {"allocation": a.pk, "spent_on": "", "amount": "2000"})
    assert "该字段是必填项" in resp.content.decode() and not Expense.objects.filter(amount=2000).exists()


def test_api_preview_commit_and_multipart_expense(tree, users, api_for):
    api = api_for(users.city_staff)
    resp = api.post(
        "/api/v1/funding/standards/",
        {"region": tree.city.pk, "year": this_year(), "name": "支部工作经费", "basis": "per_org", "amount": "2000.00",
         "source": "fiscal", "target_kind": "branch"},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.content
    sid = resp.json()["id"]
    preview = api.post("/api/v1/funding/allocations/preview/", {"standards": [sid]}, format="json").json()
    assert preview["count"] == 3 and Decimal(preview["total"]) == Decimal("6000.00")
    notice = api.post("/api/v1/funding/allocations/commit/", {"standards": [sid]}, format="json")
    assert notice.status_code == 201 and notice.json()["recipient_count"] == 3
    alloc = Allocation.objects.get(organization=tree.branch_a)
    sec = api_for(users.secretary_a)
    day = datetime.date.today() if this_year() == datetime.date.today().year else datetime.date(this_year(), 6, 1)
    resp = sec.post(
        "/api/v1/funding/expenses/",
        {"allocation": alloc.pk, "spent_on": day.isoformat(), "category": "activity", "amount": "2000.01",
         "payee": "x", "purpose": "y", "approved_by": "z"},
        format="multipart",
    )  # fmt: skip
    assert resp.status_code == 400 and "amount" in resp.json()
    resp = sec.post(
        "/api/v1/funding/expenses/",
        {"allocation": alloc.pk, "spent_on": day.isoformat(), "category": "activity", "amount": "2000.00",
         "payee": "x", "purpose": "y", "approved_by": "z", "vouchers": [pdf()]},
        format="multipart",
    )  # fmt: skip
    assert resp.status_code == 201 and resp.json()["voucher_count"] == 1
    assert resp.json()["vouchers"][0]["download_url"].startswith("/funding/vouchers/")
    assert resp.json()["status"] == "submitted"
    eid = resp.json()["id"]
    street = api_for(users.street_staff)
    ex = street.get("/api/v1/funding/execution/").json()
    row = next(r for r in ex["children"] if r["organization"] == tree.branch_a.pk)
    assert Decimal(row["rate"]) == Decimal("0.0")  # waiting for review: not spent yet
    assert sec.post(f"/api/v1/funding/expenses/{eid}/review/", {"approve": True}, format="json").status_code == 403
    resp = street.post(f"/api/v1/funding/expenses/{eid}/review/", {"approve": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "posted" and resp.json()["reviewed_by_name"]
    ex = street.get("/api/v1/funding/execution/").json()
    row = next(r for r in ex["children"] if r["organization"] == tree.branch_a.pk)
    assert Decimal(row["rate"]) == Decimal("100.0") and Decimal(ex["total"]["allocated"]) == Decimal("4000.00")
    trail = sec.get(f"/api/v1/funding/expenses/{eid}/reviews/").json()
    assert [t["action"] for t in trail] == ["submit", "approve"]


def test_home_panel_shows_funding_for_street_and_branch(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "100.00")
    for user in (users.city_staff, users.street_staff, users.secretary_a):
        html = client_for(user).get("/").content.decode()
        assert 'id="funding-home-panel"' in html and "10.0%" in html, user


def _count(fn):
    fn()
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def _grow(tree, users, n):
    for _ in range(n):
        org = make_org(tree.street_a, kind="branch")
        a = allocate(users.street_staff, tree.street_a, org, "100.00")
        spend(users.street_staff, a, "10.00", vouchers=[pdf()])
        services.standard_create(
            acting_user=users.city_staff, region=tree.city, year=this_year(), name=f"标准{org.pk}", basis="fixed",
            amount="10", source="other",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ("funding:execution", "/api/v1/funding/execution/"),
        ("funding:standard_list", "/api/v1/funding/standards/"),
        ("funding:allocation_list", "/api/v1/funding/allocations/"),
        ("funding:expense_list", "/api/v1/funding/expenses/"),
    ],
)
def test_list_pages_run_the_same_queries_for_3_and_30_rows(tree, users, client_for, api_for, page, api):
    _grow(tree, users, 3)
    c = client_for(users.street_staff)
    few = (
        _count(lambda: c.get(reverse(page) + f"?org={tree.street_a.pk}")),
        _count(lambda: api_for(users.street_staff).get(api)),
    )
    _grow(tree, users, 27)
    many = (
        _count(lambda: c.get(reverse(page) + f"?org={tree.street_a.pk}")),
        _count(lambda: api_for(users.street_staff).get(api)),
    )
    assert few == many and many[0] <= 16 and many[1] <= 10


def test_staff_above_records_for_a_branch_from_the_allocation_page(tree, users, client_for):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    c = client_for(users.street_staff)
    assert f'value="{a.pk}"' not in c.get(reverse("funding:expense_create")).content.decode()
    assert f'value="{a.pk}"' in c.get(reverse("funding:expense_create") + f"?allocation={a.pk}").content.decode()
    day = datetime.date.today() if this_year() == datetime.date.today().year else datetime.date(this_year(), 6, 1)
    resp = c.post(
        reverse("funding:expense_create") + f"?allocation={a.pk}",
        {"allocation": a.pk, "spent_on": day.isoformat(), "category": "office", "amount": "10", "payee": "p",
         "purpose": "q", "approved_by": "r"},
    )  # fmt: skip
    assert resp.status_code == 302 and Expense.objects.get().organization_id == tree.branch_a.pk


def test_notice_allocation_and_month_filters_are_choices_not_number_boxes(tree, users, client_for):
    """下拨通知 and 经费 are picked by their labels from the user's scope, the month from 1月…12月; a notice or
    allocation outside the scope is an error naming the filter (page and API), never a silent empty list."""
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    b = allocate(users.street_staff, tree.street_a, tree.branch_b, "2000.00")
    spend(users.secretary_a, a, "250.00")
    spend(users.secretary_b, b, "300.00")
    c = client_for(users.street_staff)
    html = c.get(reverse("funding:allocation_list")).content.decode()
    assert '<input type="number" name="notice"' not in html and '<select name="notice"' in html
    assert a.notice.number_display in html
    html = c.get(reverse("funding:allocation_list") + f"?notice={a.notice_id}").content.decode()
    table = html[html.index("<table") :]  # the allocations themselves (the recent notices above list b's total)
    assert "下拨通知：" in html and tree.branch_a.name in table and f"{b.amount:,}" not in table
    html = c.get(reverse("funding:expense_list") + f"?allocation={a.pk}&month=").content.decode()
    assert '<select name="allocation"' in html and '<select name="month"' in html and ">12月<" in html
    assert "250.00" in html and "300.00" not in html and f"经费：{a}" in html

    # a recipient follows its notice's link; the sibling's allocation is not a choice
    sec = client_for(users.secretary_a)
    html = sec.get(reverse("funding:allocation_list") + f"?notice={a.notice_id}").content.decode()
    assert "filter-errors" not in html and tree.branch_a.name in html
    html = sec.get(reverse("funding:expense_list") + f"?allocation={b.pk}").content.decode()
    assert "filter-errors" in html and "经费：" in html and "300.00" not in html
    api = client_for(users.secretary_a)
    assert api.get(f"/api/v1/funding/expenses/?allocation={b.pk}").status_code == 400
    assert api.get(f"/api/v1/funding/expenses/?allocation={a.pk}").status_code == 200


def test_api_patch_changes_a_standard_until_allocated_and_refuses_a_sibling(tree, users, api_for):
    from apps.core.models import AuditLog
    from apps.funding.models import FundingStandard
    from tests.api.schema import assert_documented

    api = api_for(users.district_staff)
    body = {"region": tree.district_a.pk, "year": this_year(), "name": "党员活动经费", "basis": "per_org",
            "amount": "1000.00", "source": "fiscal", "target_kind": "branch"}  # fmt: skip
    sid = api.post("/api/v1/funding/standards/", body, format="json").json()["id"]
    url = f"/api/v1/funding/standards/{sid}/"
    resp = api.patch(url, {"amount": "1200.50", "note": "按区委会议调整"}, format="json")
    assert resp.status_code == 200 and assert_documented(resp)["amount"] == "1200.50"
    assert AuditLog.objects.filter(event="fundingstandard.update", object_id=str(sid)).exists()
    bad = api.patch(url, {"growth_min_percent": "150"}, format="json")
    assert bad.status_code == 400 and "增长比例" in assert_documented(bad)["growth_min_percent"][0]
    for other in (api_for(users.district_b_staff), api_for(users.secretary_a)):
        resp = other.patch(url, {"amount": "1.00"}, format="json")
        assert resp.status_code in (403, 404)
        assert_documented(resp)
    resp = api_for(users.leader).patch(url, {"amount": "1.00"}, format="json")
    assert resp.status_code == 403
    api.post("/api/v1/funding/allocations/commit/", {"standards": [sid]}, format="json")
    resp = api.patch(url, {"amount": "900.00"}, format="json")
    assert resp.status_code == 400 and "已按此标准下拨经费" in assert_documented(resp)["detail"]
    assert FundingStandard.objects.get(pk=sid).amount == Decimal("1200.50")


def test_api_budgets_set_list_with_allocated_and_refuse_outside_scope(tree, users, api_for):
    from apps.core.models import AuditLog
    from apps.funding.models import Budget
    from tests.api.schema import assert_documented

    api = api_for(users.district_staff)
    body = {"organization": tree.district_a.pk, "year": this_year(), "source": "fiscal", "amount": "50000.00"}
    resp = api.post("/api/v1/funding/budgets/", body, format="json")
    assert resp.status_code == 201 and assert_documented(resp)["allocated"] == "0.00"
    allocate(users.district_staff, tree.district_a, tree.branch_a, "1200.00")
    resp = api.post("/api/v1/funding/budgets/", {**body, "amount": "60000.00", "note": "追加"}, format="json")
    assert resp.status_code == 200 and assert_documented(resp)["allocated"] == "1200.00"
    assert Budget.objects.get(organization=tree.district_a).amount == Decimal("60000.00")
    assert AuditLog.objects.filter(event="budget.update").exists()
    rows = assert_documented(api.get("/api/v1/funding/budgets/", {"year": this_year()}))["results"]
    assert [(r["organization"], r["amount"], r["allocated"]) for r in rows] == [
        (tree.district_a.pk, "60000.00", "1200.00")
    ]
    bad = api.post("/api/v1/funding/budgets/", {**body, "amount": "1000.00"}, format="json")
    assert bad.status_code == 400 and "不能低于已下拨" in assert_documented(bad)["amount"][0]
    sibling = api_for(users.district_b_staff)
    assert sibling.get("/api/v1/funding/budgets/").json()["results"] == []
    resp = sibling.post("/api/v1/funding/budgets/", {**body, "amount": "1.00"}, format="json")
    assert resp.status_code == 404
    assert_documented(resp)
    resp = api_for(users.leader).post("/api/v1/funding/budgets/", body, format="json")
    assert resp.status_code == 403
    assert Budget.objects.get(organization=tree.district_a).amount == Decimal("60000.00")
