"""The funding.* metrics, read through the registry as dashboards and assessment read them (rolled up the
tree), equal a recount of the allocation and expense rows with plain ORM filters written here — as kept by
the services on every write, and after the repair tool rebuilt the roll-up table from the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from apps.core.metrics import metric_values, metrics
from apps.funding import services
from apps.funding.models import Allocation, Expense
from apps.funding.rollup import rollup_rebuild

from .helpers import allocate, reviewer_for, spend, this_year

pytestmark = pytest.mark.django_db

Y = this_year() - 1  # a whole past year: every date below is allowed and none is in the future
START, END = datetime.date(Y, 4, 1), datetime.date(Y, 6, 30)
SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]
NAMES = ["funding.allocated_amount", "funding.spent_amount", "funding.execution_rate"]


def d(month: int, day: int, year: int = Y) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.fixture
def ledger(tree, users):
    """Allocations on the period's first and last day and a day either side; posted expenses likewise; a
    pending, a returned and a reversed expense (none of which is spending); rows in the sibling branch_b and
    the other district. (The services keep every date within the funding year.)"""
    a_in = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00", year=Y, on=START)
    a_before = allocate(
        users.street_staff, tree.street_a, tree.branch_a, "500.00", year=Y, on=START - datetime.timedelta(days=1)
    )
    allocate(users.street_staff, tree.street_a, tree.branch_a, "300.00", year=Y, on=END + datetime.timedelta(days=1))
    b_in = allocate(users.street_staff, tree.street_a, tree.branch_b, "2000.00", year=Y, on=END)
    allocate(users.district_b_staff, tree.district_b, tree.branch_c, "800.00", year=Y, on=d(5, 10))
    allocate(users.district_staff, tree.district_a, tree.street_a, "400.00", year=Y, on=d(5, 1))
    # branch_a: first day, last day, a day after; before the period from the earlier allocation
    spend(users.secretary_a, a_in, "100.00", on=START)
    spend(users.secretary_a, a_in, "50.00", on=END)
    spend(users.secretary_a, a_in, "70.00", on=END + datetime.timedelta(days=1))
    spend(users.secretary_a, a_before, "30.00", on=START - datetime.timedelta(days=1))
    spend(users.secretary_a, a_in, "60.00", on=d(5, 5), review=False)  # awaiting review: not spending
    returned = spend(users.secretary_a, a_in, "40.00", on=d(5, 6), review=False)
    services.expense_review(
        acting_user=reviewer_for(returned.org_path), expense=returned, approve=False, comment="凭证不全"
    )
    reversed_ = spend(users.secretary_a, a_in, "90.00", on=d(5, 7))
    services.expense_reverse(acting_user=users.secretary_a, expense=reversed_, reason="录入错误")
    # branch_b (the sibling): one on the last day, one just after
    spend(users.secretary_b, b_in, "200.00", on=d(6, 30))
    spend(users.secretary_b, b_in, "25.00", on=d(7, 1))
    return tree


def _recount(scope) -> tuple[Decimal, Decimal]:
    allocated = sum(
        (a.amount for a in Allocation.objects.filter(organization__path__startswith=scope.path)
         if START <= a.allocated_on <= END),
        Decimal("0"),
    )  # fmt: skip
    spent = sum(
        (e.amount for e in Expense.objects.filter(
            organization__path__startswith=scope.path, status__in=["posted", "reversed", "reversal"]
        ) if START <= e.spent_on <= END),
        Decimal("0"),
    )  # fmt: skip
    return allocated, spent


def test_every_registered_funding_metric_is_compared_here():
    assert {n for n in metrics() if n.startswith("funding.")} == set(NAMES)


@pytest.mark.parametrize("rebuilt", [False, True], ids=["kept_by_services", "after_rebuild"])
def test_registry_values_equal_recount_for_every_scope(tree, ledger, rebuilt):
    if rebuilt:
        rollup_rebuild()
    scopes = [getattr(tree, s) for s in SCOPES]
    values = {n: metric_values(n, organizations=scopes, start=START, end=END) for n in NAMES}
    for s in scopes:
        allocated, spent = _recount(s)
        assert values["funding.allocated_amount"][s.pk].value == allocated, s.code
        assert values["funding.spent_amount"][s.pk].value == spent, s.code
        rate = values["funding.execution_rate"][s.pk]
        assert (rate.numerator, rate.denominator) == (spent, allocated), s.code
        assert rate.value == (spent / allocated if allocated else None), s.code


def test_figures_spelled_out(tree, ledger):
    """The recount rule itself, checked once by hand: branch_a 1000 allocated in the period (not the 500 the
    day before nor the 300 the day after), 150 spent (first and last day; the reversed 90 nets out; the
    pending and the returned are not spending); the street adds branch_b's 2000/200 and its own 400."""
    orgs = [tree.branch_a, tree.street_a, tree.branch_b, tree.district_b]
    alloc = metric_values("funding.allocated_amount", organizations=orgs, start=START, end=END)
    spent = metric_values("funding.spent_amount", organizations=orgs, start=START, end=END)
    assert (alloc[tree.branch_a.pk].value, spent[tree.branch_a.pk].value) == (Decimal("1000.00"), Decimal("150.00"))
    assert (alloc[tree.branch_b.pk].value, spent[tree.branch_b.pk].value) == (Decimal("2000.00"), Decimal("200.00"))
    assert (alloc[tree.street_a.pk].value, spent[tree.street_a.pk].value) == (Decimal("3400.00"), Decimal("350.00"))
    assert (alloc[tree.district_b.pk].value, spent[tree.district_b.pk].value) == (Decimal("800.00"), 0)
