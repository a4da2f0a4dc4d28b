import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.due_items import collect_due_items
from apps.core.metrics import metric_values
from apps.core.periods import Period
from apps.members.dues import dues_base_set
from apps.members.dues_collection import (
    PaymentInput,
    dues_arrears_note_record,
    dues_handover_record,
    dues_record_month,
    dues_status_for,
)
from apps.members.dues_models import DuesMonthStats, DuesPayment
from apps.members.dues_stats import dues_stats_refresh, long_arrears_members
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

NOW = Period.current()
LAST = NOW.previous()


def _pay(member, *, amount="15.00", method="现金", paid_on=None):
    return PaymentInput(member_id=member.pk, amount=amount, method=method, paid_on=paid_on or datetime.date.today())


def test_base_records_the_monthly_amount_from_the_table(tree, users):
    m = make_member(tree.branch_a)
    base = dues_base_set(
        acting_user=users.secretary_a, member=m, year=NOW.year, category="employed", base=Decimal("3000.01")
    )
    assert base.monthly_amount == Decimal("30.00")
    assert base.effective_amount == Decimal("30.00")


def test_reduction_needs_the_committee_decision_and_approval_from_above(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        dues_base_set(
            acting_user=users.secretary_a,
            member=m,
            year=NOW.year,
            category="employed",
            base=Decimal("4000"),
            reduction="reduced",
            reduced_amount=Decimal("10"),
            reduction_reason="家庭困难",
            committee_decided_on=datetime.date.today(),
        )
    assert "上级党组织批准" in exc.value.message_dict["approved_on"][0]
    base = dues_base_set(
        acting_user=users.secretary_a,
        member=m,
        year=NOW.year,
        category="employed",
        base=Decimal("4000"),
        reduction="reduced",
        reduced_amount=Decimal("10"),
        reduction_reason="家庭困难",
        committee_decided_on=datetime.date.today(),
        approved_on=datetime.date.today(),
    )
    assert base.effective_amount == Decimal("10")


def test_sibling_secretary_cannot_record_a_base(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(PermissionDenied):
        dues_base_set(acting_user=users.secretary_b, member=m, year=NOW.year, category="student", base=Decimal(0))


def test_month_is_recorded_in_one_step_corrected_and_unticked(tree, users):
    a, b = make_member(tree.branch_a), make_member(tree.branch_a)
    dues_record_month(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        period=LAST,
        payments=[_pay(a), _pay(b, method="线上")],
    )
    assert DuesPayment.objects.filter(month=LAST.first_day).count() == 2
    dues_record_month(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        period=LAST,
        payments=[_pay(a, amount="20")],
        unpaid=[b.pk],
    )
    assert list(DuesPayment.objects.values_list("member_id", "amount")) == [(a.pk, Decimal("20.00"))]


def test_bad_rows_refuse_the_whole_month_naming_member_and_field(tree, users):
    a, b = make_member(tree.branch_a, name="王甲"), make_member(tree.branch_a, name="李乙")
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            acting_user=users.secretary_a,
            organization=tree.branch_a,
            period=LAST,
            payments=[_pay(a), PaymentInput(member_id=b.pk, amount="abc", method="支票", paid_on="x", label="李乙")],
        )
    text = str(exc.value.message_dict)
    assert "李乙「金额」" in text and "交纳方式" in text and "交纳日期" in text
    assert DuesPayment.objects.count() == 0


def test_amount_below_the_base_is_refused(tree, users):
    m = make_member(tree.branch_a)
    dues_base_set(acting_user=users.secretary_a, member=m, year=LAST.year, category="employed", base=Decimal("6000"))
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(m, amount="10")]
        )
    assert "少于应交的90.00元" in str(exc.value.message_dict)


def test_probationary_member_pays_from_the_branch_vote_month_only(tree, users):
    vote = NOW.first_day
    m = make_member(tree.branch_a, category="probationary", joined_on=vote)
    with pytest.raises(ValidationError) as exc:
        dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(m)])
    assert "支部大会通过之日起交纳党费" in str(exc.value.message_dict)
    dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=NOW, payments=[_pay(m)])
    assert dues_status_for([m])[m.pk].arrears_count == 0


def test_member_of_another_branch_is_refused_in_the_month(tree, users):
    other = make_member(tree.branch_b)
    with pytest.raises(ValidationError):
        dues_record_month(
            acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(other)]
        )
    with pytest.raises(PermissionDenied):
        dues_record_month(
            acting_user=users.secretary_a, organization=tree.branch_b, period=LAST, payments=[_pay(other)]
        )


def test_paid_up_to_is_the_last_month_of_the_unbroken_run_and_arrears_count_the_gaps(tree, users):
    as_of = Period(2026, 7)
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    dues_base_set(acting_user=users.admin, member=m, year=2026, category="employed", base=Decimal("4000"))
    for month in (1, 2, 3, 5):
        DuesPayment.objects.create(
            member=m,
            organization=tree.branch_a,
            org_path=tree.branch_a.path,
            month=datetime.date(2026, month, 1),
            amount=Decimal("40"),
            method="cash",
            paid_on=datetime.date(2026, month, 5),
        )
    status = dues_status_for([m], as_of=as_of)[m.pk]
    assert status.paid_up_to == Period(2026, 3)
    assert status.arrears_months == [Period(2026, 4), Period(2026, 6)]
    assert status.arrears_amount == Decimal("80.00")


def test_exempt_member_has_no_arrears(tree, users):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    today = datetime.date.today()
    dues_base_set(
        acting_user=users.admin,
        member=m,
        year=2026,
        category="low_income",
        base=Decimal("0"),
        reduction="exempt",
        reduction_reason="低保",
        committee_decided_on=datetime.date(2026, 1, 5),
        approved_on=datetime.date(2026, 1, 10),
    )
    assert dues_status_for([m], as_of=Period(2026, 6))[m.pk].arrears_count == 0
    assert today


def test_six_months_of_arrears_without_a_reason_is_a_due_item_and_never_changes_status(tree, users):
    period = Period(2026, 9)
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    ok = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    DuesPayment.objects.create(
        member=ok,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=datetime.date(2026, 6, 1),
        amount=Decimal("5"),
        method="cash",
        paid_on=datetime.date(2026, 6, 5),
    )
    assert list(long_arrears_members(period=period, months=6)) == [m]
    items = [i for i in collect_due_items(period=period, stage="supervision") if i.kind == "dues_arrears"]
    assert [(i.organization_id, "1名党员" in i.title) for i in items] == [(tree.branch_a.pk, True)]
    m.refresh_from_db()
    assert m.status == "active"
    dues_arrears_note_record(
        acting_user=users.secretary_a,
        member=m,
        outcome="reason",
        reason="外出务工，已电话联系",
        recorded_on=datetime.date(2026, 8, 1),
    )
    assert not list(long_arrears_members(period=period, months=6))


def test_five_months_is_not_yet_a_due_item(tree):
    period = Period(2026, 9)
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    DuesPayment.objects.create(
        member=m,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=datetime.date(2026, 3, 1),
        amount=Decimal("5"),
        method="cash",
        paid_on=datetime.date(2026, 3, 5),
    )
    assert not list(long_arrears_members(period=period, months=6))


def test_leaving_the_party_needs_the_general_meeting_decision_date(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        dues_arrears_note_record(
            acting_user=users.district_staff,
            member=m,
            outcome="left",
            reason="连续不交",
            recorded_on=datetime.date.today(),
        )
    assert "支部大会" in exc.value.message_dict["decided_on"][0]
    dues_arrears_note_record(
        acting_user=users.district_staff,
        member=m,
        outcome="left",
        reason="连续不交",
        recorded_on=datetime.date.today(),
        decided_on=datetime.date.today(),
    )
    m.refresh_from_db()
    assert m.status == "left"


def test_collection_rate_rolls_up_the_tree_and_branch_refresh_matches_full_refresh(
    tree, users, django_capture_on_commit_callbacks
):
    a1, _a2 = make_member(tree.branch_a), make_member(tree.branch_a)
    b1 = make_member(tree.branch_b)
    dues_stats_refresh(period=LAST)
    with django_capture_on_commit_callbacks(execute=True):
        dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(a1)])
    with django_capture_on_commit_callbacks(execute=True):
        dues_record_month(acting_user=users.secretary_b, organization=tree.branch_b, period=LAST, payments=[_pay(b1)])
    street = DuesMonthStats.objects.get(organization=tree.street_a, month=LAST.first_day)
    assert (street.liable, street.paid, street.paid_amount) == (3, 2, Decimal("30.00"))
    incremental = {s.organization_id: (s.liable, s.paid, s.paid_amount) for s in DuesMonthStats.objects.all()}
    dues_stats_refresh(period=LAST)
    full = {s.organization_id: (s.liable, s.paid, s.paid_amount) for s in DuesMonthStats.objects.all()}
    assert {k: v for k, v in incremental.items() if v[0]} == {k: v for k, v in full.items() if v[0]}
    city = DuesMonthStats.objects.get(organization=tree.city, month=LAST.first_day)
    assert city.rate == Decimal("66.7")


def test_handover_is_recorded_per_level_and_month(tree, users):
    dues_handover_record(
        acting_user=users.street_staff,
        organization=tree.street_a,
        period=LAST,
        amount="123.40",
        handed_on=datetime.date.today(),
        receiver="甲区委组织部",
    )
    dues_stats_refresh(period=LAST)
    assert DuesMonthStats.objects.get(organization=tree.street_a, month=LAST.first_day).handed_up == Decimal("123.40")


def test_metrics_collection_rate_member_count_and_recruited(tree, users):
    a1, _a2 = make_member(tree.branch_a), make_member(tree.branch_a, joined_on=LAST.first_day)
    dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(a1)])
    values = metric_values(
        "members.dues_collection_rate", organizations=[tree.street_a], start=LAST.first_day, end=LAST.last_day
    )
    assert values[tree.street_a.pk].value == Decimal("0.5")
    count = metric_values("members.member_count", organizations=[tree.city], start=LAST.first_day, end=LAST.last_day)
    assert count[tree.city.pk].value == 2
    rec = metric_values("members.recruited_count", organizations=[tree.city], start=LAST.first_day, end=LAST.last_day)
    assert rec[tree.city.pk].value == 1


def test_collection_rate_source_reads_the_refreshed_months_with_the_recount_figures(
    tree, users, django_assert_max_num_queries
):
    from apps.members.dues_models import DuesStatsRun
    from apps.members.dues_stats import collection_rate_source

    a1, a2 = make_member(tree.branch_a), make_member(tree.branch_a, joined_on=LAST.first_day)
    b1, _b2 = make_member(tree.branch_b), make_member(tree.branch_b)
    dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=LAST, payments=[_pay(a1)])
    dues_record_month(
        acting_user=users.secretary_b, organization=tree.branch_b, period=LAST, payments=[_pay(b1), _pay(_b2)]
    )
    dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=NOW, payments=[_pay(a2)])
    start, end = LAST.previous().first_day, NOW.last_day
    recount = collection_rate_source(root_path="/", start=start, end=end)  # nothing refreshed yet: counted
    assert recount[tree.branch_a.path] == (2, 5) and recount[tree.branch_b.path] == (2, 6)
    for p in (LAST.previous(), LAST, NOW):
        dues_stats_refresh(period=p)
    assert DuesStatsRun.objects.count() == 3
    with django_assert_max_num_queries(2):  # the runs and one GROUP BY: no member is counted
        pre = collection_rate_source(root_path="/", start=start, end=end)
    assert pre == recount
    street = collection_rate_source(root_path=tree.street_a.path, start=start, end=end)
    assert street == {k: v for k, v in recount.items() if k.startswith(tree.street_a.path)} and street
    # a payment recorded after the refresh: the branch's refresh keeps the month's figures equal to a recount
    dues_record_month(acting_user=users.secretary_a, organization=tree.branch_a, period=NOW, payments=[_pay(a1)])
    from apps.members.dues_stats import dues_stats_refresh_branch

    dues_stats_refresh_branch(organization=tree.branch_a, period=NOW)
    DuesStatsRun.objects.all().delete()
    recount = collection_rate_source(root_path="/", start=start, end=end)
    for p in (LAST.previous(), LAST, NOW):
        DuesStatsRun.objects.create(root_path="/", month=p.first_day)
    assert collection_rate_source(root_path="/", start=start, end=end) == recount
