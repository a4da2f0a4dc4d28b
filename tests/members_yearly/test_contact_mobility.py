import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.due_items import collect_due_items
from apps.core.periods import Period, add_months, add_years
from apps.members.contact import contact_review_decide, contact_scan, member_contact_record
from apps.members.contact_models import ContactReview
from apps.members.dues_models import DuesPayment
from apps.members.mobility import mobility_end, mobility_start
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _paid(m, on):
    DuesPayment.objects.create(
        member=m,
        organization=m.organization,
        org_path=m.org_path,
        month=on.replace(day=1),
        amount=Decimal("5"),
        method="cash",
        paid_on=on,
    )


def test_lost_contact_review_appears_at_six_months_and_not_before(tree, users):
    lost = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    _paid(lost, add_months(TODAY, -6) - datetime.timedelta(days=1))
    recent = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    _paid(recent, add_months(TODAY, -6) + datetime.timedelta(days=1))
    contacted = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    member_contact_record(acting_user=users.secretary_a, member=contacted, contacted_on=TODAY, method="电话")
    assert contact_scan(today=TODAY) == {"lost_contact": 1, "removal": 0}
    review = ContactReview.objects.get()
    assert review.member == lost and review.last_activity_on is not None
    assert contact_scan(today=TODAY)["lost_contact"] == 0
    lost.refresh_from_db()
    assert lost.status == "active" and not lost.lost_contact
    items = [i for i in collect_due_items(period=Period.current(), stage="reminder") if i.kind.startswith("contact")]
    assert [i.organization_id for i in items] == [tree.branch_a.pk]


def test_decision_changes_status_only_with_the_committee_date(tree, users):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    contact_scan(today=TODAY)
    review = ContactReview.objects.get(member=m)
    with pytest.raises(ValidationError) as exc:
        contact_review_decide(
            acting_user=users.secretary_a, review=review, decision="membership_stopped", committee_on=None
        )
    assert "committee_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        contact_review_decide(
            acting_user=users.secretary_a, review=review, decision="membership_stopped", committee_on=TODAY
        )  # no reason recorded
    contact_review_decide(
        acting_user=users.secretary_a,
        review=review,
        decision="membership_stopped",
        committee_on=TODAY,
        reason="migrant_work",
    )
    m.refresh_from_db()
    assert (m.status, m.lost_contact, m.lost_contact_reason) == ("membership_stopped", True, "migrant_work")


def test_restored_contact_keeps_the_member(tree, users):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    contact_scan(today=TODAY)
    contact_review_decide(
        acting_user=users.secretary_a,
        review=ContactReview.objects.get(member=m),
        decision="restored",
        committee_on=TODAY,
        note="已电话联系",
    )
    m.refresh_from_db()
    assert m.status == "active"
    assert contact_scan(today=TODAY)["lost_contact"] == 0


def test_two_years_after_membership_stopped_a_removal_review_opens(tree, users):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    long_ago = add_years(TODAY, -2) - datetime.timedelta(days=10)
    contact_scan(today=long_ago)
    contact_review_decide(
        acting_user=users.admin,
        review=ContactReview.objects.get(member=m),
        decision="membership_stopped",
        committee_on=long_ago,
        reason="abroad",
    )
    assert contact_scan(today=add_years(TODAY, -1))["removal"] == 0
    assert contact_scan(today=TODAY)["removal"] == 1
    removal = ContactReview.objects.get(member=m, kind="removal")
    contact_review_decide(acting_user=users.secretary_a, review=removal, decision="removed", committee_on=TODAY)
    m.refresh_from_db()
    assert m.status == "removed"


def test_sibling_secretary_cannot_decide(tree, users):
    from django.core.exceptions import PermissionDenied

    make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    contact_scan(today=TODAY)
    with pytest.raises(PermissionDenied):
        contact_review_decide(
            acting_user=users.secretary_b, review=ContactReview.objects.get(), decision="restored", committee_on=TODAY
        )


def test_mobile_member_period_reminder_and_transfer_suggestion(tree, users):
    m = make_member(tree.branch_a)
    rec = mobility_start(
        acting_user=users.secretary_a,
        member=m,
        direction="outflow",
        place="广东省深圳市",
        starts_on=add_months(TODAY, -7),
        ends_on=Period.current().last_day,
        certificate_no="LD2026001",
        host_org=tree.branch_c,
    )
    m.refresh_from_db()
    assert m.mobile_state == "outflow" and m.mobile_place == "广东省深圳市"
    kinds = {i.kind for i in collect_due_items(period=Period.current(), stage="reminder")}
    assert {"mobile_period_end", "transfer_suggested"} <= kinds
    with pytest.raises(ValidationError):
        mobility_start(acting_user=users.secretary_a, member=m, direction="outflow", place="x", starts_on=TODAY)
    from apps.members.contact_models import MobileRecord

    c_staff = users.district_b_staff
    assert MobileRecord.objects.visible_to(c_staff).count() == 1
    assert MobileRecord.objects.visible_to(users.secretary_b).count() == 0
    mobility_end(acting_user=users.secretary_a, record=rec, ended_on=TODAY)
    m.refresh_from_db()
    assert m.mobile_state == ""
