import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.periods import Period
from apps.members.appraisal import (
    appraisal_counts,
    appraisal_decide,
    appraisal_open,
    appraisal_propose,
    appraisal_record_votes,
    unqualified_handling_record,
)
from apps.members.appraisal_models import CardCategory, CardCount, MemberCard, PointEntry
from apps.members.cards import card_counts, cards_recompute, cards_recompute_detail, member_card
from apps.members.dues import dues_base_set
from apps.members.dues_models import DuesPayment
from apps.members.points import points_add_manual, points_collect, points_ranking
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
YEAR = TODAY.year - 1


def _appraisal(tree, users, n=6):
    members = [make_member(tree.branch_a) for _ in range(n)]
    return appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=YEAR), members


def test_opening_an_appraisal_lists_every_member_once(tree, users):
    appraisal, _members = _appraisal(tree, users)
    assert appraisal.entries.count() == 6
    with pytest.raises(ValidationError):
        appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=YEAR)


def test_excellent_share_is_capped_at_one_third(tree, users):
    appraisal, members = _appraisal(tree, users)
    three = {m.pk: "excellent" for m in members[:3]}
    with pytest.raises(ValidationError) as exc:
        appraisal_propose(acting_user=users.secretary_a, appraisal=appraisal, levels=three, committee_on=TODAY)
    assert "最多评2名优秀" in exc.value.message_dict["proposed_level"][0]
    levels = {m.pk: "qualified" for m in members} | {members[0].pk: "excellent", members[1].pk: "excellent"}
    appraisal_propose(acting_user=users.secretary_a, appraisal=appraisal, levels=levels, committee_on=TODAY)


def test_cap_is_a_parameter(tree, users):
    from apps.core.models import Parameter
    from apps.core.params import invalidate

    Parameter.objects.create(key="appraisal_excellent_cap", value="1/2")
    invalidate()
    appraisal, members = _appraisal(tree, users)
    levels = {m.pk: "qualified" for m in members} | {m.pk: "excellent" for m in members[:3]}
    appraisal_decide(acting_user=users.secretary_a, appraisal=appraisal, levels=levels, meeting_on=TODAY)


def test_meeting_decides_every_member_and_then_it_is_locked(tree, users):
    appraisal, members = _appraisal(tree, users, n=3)
    appraisal_record_votes(acting_user=users.secretary_a, appraisal=appraisal, votes={members[0].pk: (2, 1, 0, 0)})
    with pytest.raises(ValidationError) as exc:
        appraisal_decide(
            acting_user=users.secretary_a, appraisal=appraisal, levels={members[0].pk: "qualified"}, meeting_on=TODAY
        )
    assert "2名党员未评定" in str(exc.value)
    levels = {m.pk: "qualified" for m in members} | {members[2].pk: "unqualified"}
    appraisal_decide(acting_user=users.secretary_a, appraisal=appraisal, levels=levels, meeting_on=TODAY)
    with pytest.raises(ValidationError):
        appraisal_record_votes(acting_user=users.secretary_a, appraisal=appraisal, votes={members[0].pk: (1, 0, 0, 0)})


def test_unqualified_handling_records_measure_dates_and_outcome(tree, users):
    appraisal, members = _appraisal(tree, users, n=3)
    levels = {m.pk: "qualified" for m in members} | {members[2].pk: "unqualified"}
    appraisal_decide(acting_user=users.secretary_a, appraisal=appraisal, levels=levels, meeting_on=TODAY)
    ok_entry = appraisal.entries.get(member=members[0])
    with pytest.raises(ValidationError):
        unqualified_handling_record(
            acting_user=users.secretary_a, entry=ok_entry, measure="rectify", proposed_on=TODAY, deadline=TODAY
        )
    entry = appraisal.entries.get(member=members[2])
    with pytest.raises(ValidationError) as exc:
        unqualified_handling_record(acting_user=users.secretary_a, entry=entry, measure="rectify", proposed_on=TODAY)
    assert "改正期限" in exc.value.message_dict["deadline"][0]
    unqualified_handling_record(
        acting_user=users.secretary_a,
        entry=entry,
        measure="remove",
        proposed_on=TODAY,
        outcome="removed",
        outcome_on=TODAY,
    )
    members[2].refresh_from_db()
    assert members[2].status == "removed"
    counts = appraisal_counts(user=users.district_staff, root_path=tree.city.path, year=YEAR)
    assert dict(counts["levels"])["不合格"] == 1 and counts["handled"] == 1
    assert dict(counts["measures"])["除名"] == 1


def test_points_are_created_once_per_source_event(tree, users):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    last = Period.current().previous()
    for year in {Period.current().shift(-3).year, last.year}:
        dues_base_set(acting_user=users.secretary_a, member=m, year=year, category="student", base=Decimal(0))
    DuesPayment.objects.create(
        member=m,
        organization=tree.branch_a,
        org_path=tree.branch_a.path,
        month=last.first_day,
        amount=Decimal("5"),
        method="cash",
        paid_on=last.first_day,
    )
    start = Period.current().shift(-3).first_day
    first = points_collect(start=start, end=TODAY)
    assert first >= 1
    assert points_collect(start=start, end=TODAY) == 0
    assert PointEntry.objects.filter(rule__code="dues_on_time", member=m).count() == 1
    assert PointEntry.objects.filter(rule__code="dues_overdue", member=m).count() >= 1


def test_manual_points_need_a_reason_and_ranking_orders_by_total(tree, users):
    a, b = make_member(tree.branch_a, name="甲"), make_member(tree.branch_a, name="乙")
    with pytest.raises(ValidationError):
        points_add_manual(acting_user=users.secretary_a, member=a, points=5, reason=" ", occurred_on=TODAY)
    points_add_manual(acting_user=users.secretary_a, member=a, points=5, reason="抗洪抢险", occurred_on=TODAY)
    points_add_manual(acting_user=users.secretary_a, member=b, points=8, reason="志愿服务", occurred_on=TODAY)
    ranking = points_ranking(user=users.secretary_a, organization=tree.branch_a, year=TODAY.year)
    assert [(r["member__name"], r["total"], r["rank"]) for r in ranking] == [("乙", 8, 1), ("甲", 5, 2)]
    a.refresh_from_db()
    assert a.points == 5
    assert points_ranking(user=users.secretary_b, organization=tree.branch_a, year=TODAY.year) == []


def test_six_colour_recompute_is_set_based_and_idempotent(tree, users):
    period = Period.current()
    red = make_member(tree.branch_a)
    points_add_manual(acting_user=users.secretary_a, member=red, points=40, reason="先进", occurred_on=TODAY)
    mobile = make_member(tree.branch_a, mobile_state="outflow")
    old = make_member(tree.branch_a, birth_date=datetime.date(1930, 1, 1))
    yellow = make_member(tree.branch_a)
    points_add_manual(acting_user=users.secretary_a, member=yellow, points=-3, reason="无故缺席", occurred_on=TODAY)
    plain = make_member(tree.branch_a)
    assert cards_recompute(period=period) == 5
    assert cards_recompute(period=period) == 5
    got = dict(MemberCard.objects.values_list("member_id", "category__code"))
    assert got == {red.pk: "red", mobile.pk: "purple", old.pk: "blue", yellow.pk: "yellow", plain.pk: "green"}
    counts = dict(
        (c.code, n) for c, n in card_counts(user=users.secretary_a, organization=tree.branch_a, period=period)
    )
    assert counts["green"] == 1 and counts["red"] == 1
    CardCategory.objects.filter(code="red").update(min_points=50)
    cards_recompute(period=period)
    red.refresh_from_db()
    assert member_card(member=red).category.code == "green"


def test_recompute_writes_only_changed_cards_and_keeps_counts_per_branch(tree, users):
    this = Period.current()
    last = this.previous()
    a, b, c = (make_member(tree.branch_a) for _ in range(3))
    other = make_member(tree.branch_b)
    first = cards_recompute_detail(period=last)
    assert first == {"members": 4, "changed": 4, "counts": 2}  # count rows: one per branch
    assert cards_recompute_detail(period=last)["changed"] == 0  # a rerun writes no card
    # next month: one member earns points, one leaves; the others keep the card of last month
    points_add_manual(acting_user=users.secretary_a, member=a, points=40, reason="先进", occurred_on=TODAY)
    c.status = "deceased"
    c.save(update_fields=["status"])
    r = cards_recompute_detail(period=this)
    assert (r["members"], r["changed"]) == (3, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    assert member_card(member=a).category.code == "red" and member_card(member=a).since == this.first_day
    assert member_card(member=b).since == last.first_day  # unchanged: not rewritten
    # each month keeps its own counts; the branch's figures exclude the sibling branch
    code = {str(c.pk): c.code for c in CardCategory.objects.all()}
    rows = {
        (org, month, tuple(sorted((code[k], n) for k, n in counts.items())))
        for org, month, counts in CardCount.objects.values_list("organization_id", "month", "counts")
    }
    assert rows == {
        (tree.branch_a.pk, last.first_day, (("green", 3),)),
        (tree.branch_b.pk, last.first_day, (("green", 1),)),
        (tree.branch_a.pk, this.first_day, (("green", 1), ("red", 1))),
        (tree.branch_b.pk, this.first_day, (("green", 1),)),
    }
    by_branch = {c.code: n for c, n in card_counts(user=users.secretary_a, organization=tree.branch_a, period=this)}
    assert by_branch["green"] == 1 and by_branch["red"] == 1
    # recomputing the earlier month again does not take a newer card back
    cards_recompute(period=last)
    a.refresh_from_db()
    assert member_card(member=a).category.code == "red"
    assert MemberCard.objects.get(member=other).category.code == "green"
