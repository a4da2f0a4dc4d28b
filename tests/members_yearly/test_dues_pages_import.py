import datetime
from decimal import Decimal

import pytest

from apps.core.periods import Period
from apps.members.dues_import import dues_import_file
from apps.members.dues_models import DuesBase, DuesPayment
from tests.factories.members import make_member

from .helpers import count_queries, xlsx

pytestmark = pytest.mark.django_db
LAST = Period.current().previous()
HEAD = ["姓名", "身份证号", "月份", "金额", "交纳方式", "交纳日期"]


def test_payment_import_reports_row_and_column_and_saves_nothing(tree, users):
    m = make_member(tree.branch_a, name="张三")
    sibling = make_member(tree.branch_b, name="李四")
    f = xlsx(
        [
            HEAD,
            ["张三", m.id_number, str(LAST), "15", "现金", LAST.first_day],
            ["李四", sibling.id_number, str(LAST), "abc", "现金", LAST.first_day],
            ["张三", 340524198506150011, str(LAST), "15", "支票", LAST.first_day],
        ]
    )
    result = dues_import_file(acting_user=users.secretary_a, kind="payments", upload=f)
    text = [str(e) for e in result.errors]
    assert any(t.startswith("第3行「金额」") for t in text)
    assert any(t.startswith("第3行「身份证号」") and "找不到" in t for t in text)
    assert any(t.startswith("第4行「身份证号」") and "文本格式" in t for t in text)
    assert DuesPayment.objects.count() == 0


def test_payment_import_saves_a_month_and_rerun_adds_none(tree, users, django_capture_on_commit_callbacks):
    members = [make_member(tree.branch_a) for _ in range(3)]
    rows = [HEAD] + [[m.name, m.id_number, None, "15.00", "线上", LAST.first_day] for m in members]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = dues_import_file(acting_user=users.secretary_a, kind="payments", upload=xlsx(rows), period=LAST)
        assert not result.errors and result.saved == 3
    assert DuesPayment.objects.filter(month=LAST.first_day, method="online").count() == 3


def test_base_import_computes_amounts_and_requires_approval_for_reductions(tree, users):
    a, b = make_member(tree.branch_a), make_member(tree.branch_a)
    head = [
        "姓名",
        "身份证号",
        "年度",
        "党员类别",
        "交纳基数",
        "减免",
        "减交后金额",
        "减免原因",
        "支委会决定日期",
        "上级批准日期",
    ]
    bad = xlsx(
        [
            head,
            [a.name, a.id_number, 2026, "在岗职工", "5000.01", None, None, None, None, None],
            [b.name, b.id_number, 2026, "离退休", "3000", "免交", None, "病重", "2026-01-05", None],
            [b.name, b.id_number, 2026, "军人", "3000", None, None, None, None, None],
        ]
    )
    result = dues_import_file(acting_user=users.secretary_a, kind="bases", upload=bad)
    text = [str(e) for e in result.errors]
    assert any(t.startswith("第3行「上级批准日期」") for t in text)
    assert any(t.startswith("第4行「党员类别」") and "在岗职工" in t for t in text)
    assert DuesBase.objects.count() == 0
    good = xlsx(
        [
            head,
            [a.name, a.id_number, 2026, "在岗职工", "5000.01", None, None, None, None, None],
            [b.name, b.id_number, 2026, "离退休", "3000", "免交", None, "病重", "2026-01-05", "2026-01-20"],
        ]
    )
    result = dues_import_file(acting_user=users.secretary_a, kind="bases", upload=good)
    assert not result.errors
    assert DuesBase.objects.get(member=a).monthly_amount == Decimal("75.00")
    assert DuesBase.objects.get(member=b).effective_amount == Decimal("0")


def test_secretary_records_a_month_on_one_page(tree, users, client_for):
    a, b = make_member(tree.branch_a, name="王甲"), make_member(tree.branch_a, name="李乙")
    c = client_for(users.secretary_a)
    url = f"/members/dues/?month={LAST}"
    page = c.get(url)
    assert page.status_code == 200 and "王甲" in page.content.decode()
    data = {
        "org": tree.branch_a.code,
        "month": str(LAST),
        "member": [a.pk, b.pk],
        f"paid_{a.pk}": "1",
        f"amount_{a.pk}": "15",
        f"method_{a.pk}": "cash",
        f"paid_on_{a.pk}": str(datetime.date.today()),
        f"amount_{b.pk}": "15",
        f"method_{b.pk}": "cash",
        f"paid_on_{b.pk}": str(datetime.date.today()),
    }
    resp = c.post(url, data)
    assert resp.status_code == 302
    assert list(DuesPayment.objects.values_list("member_id", flat=True)) == [a.pk]
    bad = dict(data, **{f"amount_{a.pk}": "-1"})
    resp = c.post(url, bad)
    assert resp.status_code == 400 and "王甲「金额」" in resp.content.decode()


def test_sibling_secretary_gets_404_on_dues_pages(tree, users, client_for):
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
    c = client_for(users.secretary_b)
    assert c.get(f"/members/{m.pk}/dues/").status_code == 404
    assert c.get(f"/members/dues/payments/{p.pk}/receipt/").status_code == 404
    assert c.get(f"/members/dues/?org={tree.branch_a.code}").status_code == 404
    assert (
        c.post(f"/members/dues/?org={tree.branch_a.code}", {"member": [m.pk], f"paid_{m.pk}": "1"}).status_code == 404
    )
    assert c.get(f"/members/dues/rollup/?org={tree.branch_a.code}").status_code == 404
    own = client_for(users.secretary_a)
    assert own.get(f"/members/dues/payments/{p.pk}/receipt/").status_code == 200


def test_month_page_query_count_does_not_grow_with_members(tree, users, client_for):
    c = client_for(users.secretary_a)
    for _ in range(3):
        make_member(tree.branch_a)
    c.get("/members/dues/")
    few = count_queries(lambda: c.get("/members/dues/"))
    for _ in range(27):
        make_member(tree.branch_a)
    many = count_queries(lambda: c.get("/members/dues/"))
    assert many == few


def test_rollup_page_shows_children_rates(tree, users, client_for):
    from apps.members.dues_stats import dues_stats_refresh

    make_member(tree.branch_a)
    dues_stats_refresh(period=LAST)
    resp = client_for(users.street_staff).get(f"/members/dues/rollup/?month={LAST}")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "甲支部" in body and "乙支部" in body


def test_import_page_shows_row_errors_and_template_downloads(tree, users, client_for):
    make_member(tree.branch_a, name="张三")
    c = client_for(users.secretary_a)
    assert c.get("/members/dues/template/payments/").status_code == 200
    f = xlsx([HEAD, ["张三", "", str(LAST), "abc", "现金", str(LAST.first_day)]])
    resp = c.post("/members/dues/import/payments/", {"file": f})
    assert resp.status_code == 400
    assert "第2行「金额」" in resp.content.decode()
