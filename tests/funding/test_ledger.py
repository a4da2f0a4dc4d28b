import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from apps.core.models import AuditLog
from apps.funding import services
from apps.funding.models import Allocation, Expense, FundingRollup
from apps.funding.selectors import execution_summary

from .helpers import allocate, pdf, spend, this_year


def _rollup_spent(org):
    return sum(FundingRollup.objects.filter(organization=org, year=this_year()).values_list("spent", flat=True))


@pytest.mark.django_db
def test_expense_may_use_exactly_the_balance_and_not_a_cent_more(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "999.99")
    with pytest.raises(ValidationError) as exc:
        spend(users.secretary_a, a, "0.02")
    assert "余额 0.01 元" in str(exc.value.message_dict["amount"])
    spend(users.secretary_a, a, "0.01")
    a.refresh_from_db()
    assert a.spent == a.amount == Decimal("1000.00") and a.remaining == Decimal("0.00")
    assert Expense.objects.count() == 2
    assert (
        _rollup_spent(tree.branch_a) == _rollup_spent(tree.street_a) == _rollup_spent(tree.city) == Decimal("1000.00")
    )


@pytest.mark.django_db
def test_reversal_is_a_negative_entry_and_returns_the_money(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "300.00")
    r = services.expense_reverse(acting_user=users.secretary_a, expense=e, reason="金额录错")
    e.refresh_from_db()
    a.refresh_from_db()
    assert r.amount == Decimal("-300.00") and r.reverses_id == e.pk and r.status == "reversal"
    assert e.status == "reversed" and e.amount == Decimal("300.00")  # the original is kept as it was
    assert a.spent == Decimal("0.00")
    assert _rollup_spent(tree.street_a) == Decimal("0.00")
    with pytest.raises(ValidationError):
        services.expense_reverse(acting_user=users.secretary_a, expense=e, reason="再来一次")
    with pytest.raises(ValidationError):
        services.expense_reverse(acting_user=users.secretary_a, expense=r, reason="冲正的冲正")
    assert AuditLog.objects.filter(event="expense.reverse").count() == 1
    summary = execution_summary(user=users.street_staff, organization=tree.street_a, year=this_year())
    assert summary["total"].spent == Decimal("0.00") and summary["total"].allocated == Decimal("1000.00")


@pytest.mark.django_db
def test_expense_outside_the_allocation_year_or_in_the_future_is_refused(tree, users):
    import datetime

    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    with pytest.raises(ValidationError) as exc:
        spend(users.secretary_a, a, on=datetime.date(this_year() - 1, 12, 31))
    assert "spent_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        spend(users.secretary_a, a, on=datetime.date.today() + datetime.timedelta(days=1))


@pytest.mark.django_db
def test_vouchers_are_checked_like_ledger_attachments(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        spend(users.secretary_a, a, vouchers=[fake])
    assert "内容与扩展名不符" in str(exc.value)
    with pytest.raises(ValidationError):
        spend(users.secretary_a, a, vouchers=[SimpleUploadedFile("run.exe", b"MZ", content_type="application/x")])
    a.refresh_from_db()
    assert a.spent == 0 and not Expense.objects.exists()  # refused before any money moved
    e = spend(users.secretary_a, a, vouchers=[pdf()])
    assert e.voucher_count == 1 and e.vouchers.count() == 1
    services.voucher_add(acting_user=users.secretary_a, expense=e, file=pdf("收据.pdf"))
    e.refresh_from_db()
    assert e.voucher_count == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serializes writers)")
def test_two_concurrent_expenses_cannot_overdraw(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def submit():
        try:
            barrier.wait()
            spend(users.secretary_a, Allocation.objects.get(pk=a.pk), "600.00")
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a.refresh_from_db()
    assert sorted(results) == ["ok", "refused"]
    assert a.spent == Decimal("600.00") and Expense.objects.count() == 1


@pytest.mark.django_db
def test_allocation_constraint_rejects_a_raw_overdraw(tree, users):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=a.pk).update(spent=F("amount") + 1)


@pytest.mark.django_db
def test_rollup_rebuild_reproduces_what_the_services_kept(tree, users):
    from apps.funding.rollup import rollup_rebuild

    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    e = spend(users.secretary_a, a, "300.00")
    services.expense_reverse(acting_user=users.secretary_a, expense=e, reason="录错")
    spend(users.secretary_a, a, "30.00", category="office")
    key = ("organization_id", "year", "month", "source", "category", "allocated", "spent", "own_allocated", "own_spent")
    kept = sorted((r for r in FundingRollup.objects.values_list(*key) if any(r[5:])), key=str)
    rollup_rebuild()
    rebuilt = sorted((r for r in FundingRollup.objects.values_list(*key) if any(r[5:])), key=str)
    assert kept == rebuilt and len(rebuilt) >= 8
