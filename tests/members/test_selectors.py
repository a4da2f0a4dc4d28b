import datetime

from apps.core.due_items import sources
from apps.core.periods import Period
from apps.members.due import probation_due_items, transfer_letter_due_items
from apps.members.models import Recruitment
from apps.members.selectors import (
    activist_year_completed,
    probation_due,
    transfer_letters_expiring,
)
from apps.members.transfers import transfer_approve, transfer_request
from tests.factories.members import make_id_number, make_member

TODAY = datetime.date(2026, 11, 10)


def test_probation_due_lists_only_probationary_members_ending_soon(tree, users):
    due = make_member(tree.branch_a, category="probationary", probation_ends_on=datetime.date(2026, 11, 30))
    make_member(tree.branch_a, category="probationary", probation_ends_on=datetime.date(2027, 3, 1))
    make_member(tree.branch_b, category="probationary", probation_ends_on=datetime.date(2026, 11, 20))
    assert list(probation_due(user=users.secretary_a, within_days=30, today=TODAY)) == [due]


def test_activist_year_completed(tree, users):
    def rec(activist_on):
        r = Recruitment(
            organization=tree.branch_a,
            name="x",
            gender="1",
            applied_on=datetime.date(2024, 1, 1),
            activist_on=activist_on,
            stage="activist",
        )
        r.id_number = make_id_number()
        r.save()
        return r

    done = rec(datetime.date(2025, 11, 1))
    rec(datetime.date(2026, 6, 1))
    assert list(activist_year_completed(user=users.district_staff, within_days=0, today=TODAY)) == [done]


def test_transfer_letters_expiring_seen_by_both_sides(tree, users):
    t = transfer_approve(
        acting_user=users.district_staff,
        transfer=transfer_request(
            acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=tree.branch_c
        ),
    )
    later = t.valid_until + datetime.timedelta(days=1)
    assert list(transfer_letters_expiring(user=users.district_b_staff, within_days=0, today=later)) == [t]
    assert list(transfer_letters_expiring(user=users.district_staff, within_days=0, today=later)) == [t]
    items = list(transfer_letter_due_items(period=Period.of(t.valid_until), stage="reminder", root_path="/"))
    assert {i.organization_id for i in items} == {tree.branch_a.pk, tree.branch_c.pk}


def test_probation_due_source_is_registered_and_scoped_by_root(tree, users):
    assert "members.probation_due" in sources()
    m = make_member(tree.branch_a, category="probationary", probation_ends_on=datetime.date(2026, 11, 15))
    make_member(tree.branch_c, category="probationary", probation_ends_on=datetime.date(2026, 11, 16))
    items = list(probation_due_items(period=Period(2026, 11), stage="reminder", root_path=tree.district_a.path))
    assert [(i.organization_id, i.object_ref) for i in items] == [(tree.branch_a.pk, f"members.member:{m.pk}")]
    assert "预备期" in items[0].title
    overdue = list(probation_due_items(period=Period(2026, 12), stage="warning", root_path="/"))
    assert len(overdue) == 2
