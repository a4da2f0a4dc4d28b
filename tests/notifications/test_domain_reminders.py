import datetime

import pytest

from apps.members.models import Transfer
from apps.notifications.models import Delivery, Notice
from apps.notifications.reminders import reminders_run
from apps.notifications.sending import deliveries_send
from apps.notifications.sms import MemorySmsSender
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def test_probation_due_reminder_once_a_month_per_member(tree, users):
    make_member(tree.branch_a, name="王预备", category="probationary", probation_ends_on=datetime.date(2026, 12, 10))
    make_member(tree.branch_a, name="李正式", category="full")
    assert reminders_run(today=TODAY, only=["probation_due"]) == {"probation_due": 1}
    assert reminders_run(today=TODAY, only=["probation_due"]) == {"probation_due": 0}
    n = Notice.objects.get(recipient=users.secretary_a)
    assert "王预备" in n.title and n.category == "probation_due"


def test_ledger_due_tomorrow_only_for_branches_that_have_not_submitted(tree, users):
    from apps.core.periods import Period
    from apps.responsibility.services import ledger_due_date

    due = ledger_due_date(Period(2026, 10))
    day_before = due - datetime.timedelta(days=1)
    assert reminders_run(today=day_before - datetime.timedelta(days=1), only=["ledger_due"]) == {"ledger_due": 0}
    counts = reminders_run(today=day_before, only=["ledger_due"])
    assert counts["ledger_due"] >= 2  # secretary_a and secretary_b
    assert Notice.objects.filter(recipient=users.secretary_a, category="ledger_due").count() == 1
    assert reminders_run(today=day_before, only=["ledger_due"]) == {"ledger_due": 0}


def test_transfer_letter_expiring_tells_both_sides(tree, users):
    m = make_member(tree.branch_a, name="赵转出")
    Transfer.objects.create(
        member=m, from_org=tree.branch_a, to_org=tree.branch_b, status="approved",
        valid_until=TODAY + datetime.timedelta(days=5),
    )  # fmt: skip
    assert reminders_run(today=TODAY, only=["transfer_expiring"]) == {"transfer_expiring": 2}
    assert Notice.objects.filter(recipient=users.secretary_b, title__contains="赵转出").exists()
    assert reminders_run(today=TODAY, only=["transfer_expiring"]) == {"transfer_expiring": 0}


def test_political_birthday_greets_the_member_by_sms_and_tells_the_branch(tree, users, settings):
    settings.SMS_BACKEND = "apps.notifications.sms.MemorySmsSender"
    MemorySmsSender.outbox, MemorySmsSender.failing = [], set()
    make_member(tree.branch_a, name="陈生日", joined_on=datetime.date(2016, 11, 23), phone="13900001111")
    make_member(tree.branch_a, name="不是今天", joined_on=datetime.date(2016, 11, 24))
    assert reminders_run(today=TODAY, only=["political_birthday"]) == {"political_birthday": 1}
    n = Notice.objects.get(recipient=users.secretary_a)
    assert "陈生日同志入党10周年" in n.title
    assert Delivery.objects.get(notice=n, channel="sms").address == "13900001111"
    deliveries_send()
    assert MemorySmsSender.outbox and "政治生日快乐" in MemorySmsSender.outbox[0][1]
    assert reminders_run(today=TODAY, only=["political_birthday"]) == {"political_birthday": 0}
