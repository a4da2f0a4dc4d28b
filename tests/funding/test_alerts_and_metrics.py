import datetime
from decimal import Decimal

import pytest

from apps.core.due_items import collect_due_items
from apps.core.metrics import metric_values
from apps.core.models import Parameter
from apps.core.params import invalidate
from apps.core.periods import Period
from apps.funding import alerts

from .helpers import allocate, pdf, spend, this_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(tree, users):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    b = allocate(users.street_staff, tree.street_a, tree.branch_b, "1000.00")
    spend(users.secretary_a, a, "100.00")  # 10%, no voucher
    spend(users.secretary_b, b, "500.00", vouchers=[pdf()])  # 50%
    return a, b


def test_low_execution_after_the_june_checkpoint_names_only_the_lagging_branch(money, tree):
    items = alerts.low_execution_items(period=Period(this_year(), 7), stage="supervision", root_path="/")
    assert [(i.organization_id, i.kind) for i in items] == [(tree.branch_a.pk, "funding_low_execution")]
    assert "执行率10.0%" in items[0].title and "6月30日前应达到的30%" in items[0].title
    # No checkpoint falls in July, so nothing to remind of; in June the checkpoint is this month.
    assert alerts.low_execution_items(period=Period(this_year(), 7), stage="reminder") == []
    assert len(alerts.low_execution_items(period=Period(this_year(), 6), stage="reminder")) == 1


def test_checkpoints_are_a_parameter(money, tree):
    Parameter.objects.create(key="funding_checkpoints", value="06-30:60", description="")
    invalidate()
    items = alerts.low_execution_items(period=Period(this_year(), 7), stage="supervision")
    assert {i.organization_id for i in items} == {tree.branch_a.pk, tree.branch_b.pk}


def test_unspent_money_at_year_end_and_missing_vouchers(money, tree):
    unspent = alerts.unspent_items(period=Period(this_year(), 12), stage="reminder")
    assert {(i.organization_id, i.title) for i in unspent} == {
        (tree.branch_a.pk, f"{this_year()}年党建经费尚有900.00元未使用（共下拨1000.00元）"),
        (tree.branch_b.pk, f"{this_year()}年党建经费尚有500.00元未使用（共下拨1000.00元）"),
    }
    assert alerts.unspent_items(period=Period(this_year(), 11), stage="reminder") == []
    missing = alerts.voucher_missing_items(period=Period.current(), stage="reminder")
    assert [(i.organization_id, i.title) for i in missing] == [
        (tree.branch_a.pk, "1笔经费支出（合计100.00元）未上传凭证")
    ]


def test_funding_alerts_are_collected_as_due_items_and_reach_the_letters(money, tree, users):
    from apps.supervision.letters import letters_issue_monthly
    from apps.supervision.models import Letter, LetterItem

    kinds = {i.kind for i in collect_due_items(period=Period(this_year(), 7), stage="supervision")}
    assert "funding_low_execution" in kinds
    letters_issue_monthly(kind="supervision", period=Period(this_year(), 7), today=datetime.date(this_year(), 7, 15))
    letter = Letter.objects.get(addressee=tree.branch_a, kind="supervision")
    item = LetterItem.objects.get(letter=letter, kind="funding_low_execution")
    assert "执行率10.0%" in item.title
    assert not LetterItem.objects.filter(letter__addressee=tree.branch_b, kind="funding_low_execution").exists()


def test_metrics_roll_up_amounts_and_rate_from_the_rollup_table(money, tree):
    start, end = datetime.date(this_year(), 1, 1), datetime.date(this_year(), 12, 31)
    orgs = [tree.street_a, tree.branch_a, tree.district_b]
    alloc = metric_values("funding.allocated_amount", organizations=orgs, start=start, end=end)
    spent = metric_values("funding.spent_amount", organizations=orgs, start=start, end=end)
    rate = metric_values("funding.execution_rate", organizations=orgs, start=start, end=end)
    assert alloc[tree.street_a.pk].value == Decimal("2000.00") and spent[tree.street_a.pk].value == Decimal("600.00")
    assert rate[tree.street_a.pk].percent == Decimal("30.0") and rate[tree.branch_a.pk].percent == Decimal("10.0")
    assert rate[tree.district_b.pk].value is None
