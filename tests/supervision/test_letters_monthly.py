import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from apps.core.due_items import DueItem
from apps.notifications.models import Delivery, Notice
from apps.supervision import letters as letters_mod
from apps.supervision.letters import letters_issue_monthly
from apps.supervision.models import Accountability, Letter, LetterItem, LetterRule
from tests.factories.supervision import fake_due_source, make_letter

pytestmark = pytest.mark.django_db

NOV1 = datetime.date(2026, 11, 1)


def _items(tree):
    return {
        "reminder": [
            DueItem(tree.branch_a.pk, "task_due", "11月主题党日", datetime.date(2026, 11, 10), "x.task:1"),
            DueItem(tree.branch_a.pk, "ledger_due", "11月月度台账", datetime.date(2026, 11, 30), ""),
            DueItem(tree.branch_b.pk, "task_due", "换届选举", datetime.date(2026, 12, 1), "x.org:2"),
            DueItem(tree.branch_c.pk, "task_due", "党课", None, ""),
        ],
        "supervision": [
            DueItem(tree.branch_a.pk, "ledger_missing", "10月月度台账未提交", None, ""),
            DueItem(tree.branch_c.pk, "task_overdue", "党课逾期", None, ""),
        ],
        "warning": [
            DueItem(tree.branch_a.pk, "ledger_missing", "10月月度台账仍未提交", None, ""),
            DueItem(tree.branch_b.pk, "ledger_missing", "乙支部没有收到督办函", None, ""),
        ],
    }


def test_reminder_run_creates_one_letter_per_addressee_with_items_and_numbers(tree, users):
    with fake_due_source(_items(tree)):
        res = letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
    assert res.created == 3
    letters = {lt.addressee_id: lt for lt in Letter.objects.all()}
    assert set(letters) == {tree.branch_a.pk, tree.branch_b.pk, tree.branch_c.pk}
    assert {lt.issuer_id for lt in letters.values()} == {tree.city.pk}  # the default rule sits at the root
    assert sorted(lt.number for lt in letters.values()) == [1, 2, 3]
    a = letters[tree.branch_a.pk]
    assert a.number_display == "〔2026〕" + str(a.number) + "号"
    assert [i.title for i in a.items.all()] == ["11月主题党日", "11月月度台账"]
    assert a.items.first().object_ref == "x.task:1"
    assert a.issued_on == NOV1 and a.response_deadline == NOV1 + datetime.timedelta(days=7)
    assert "甲支部" in a.body and "2026年11月" in a.title + a.body


def test_rerun_creates_nothing_and_keeps_numbers(tree, users):
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
        before = list(Letter.objects.order_by("id").values_list("id", "number"))
        res = letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
    assert res.created == 0 and res.existing == 3
    assert list(Letter.objects.order_by("id").values_list("id", "number")) == before
    assert LetterItem.objects.count() == 4


def test_resume_after_crash_midway_creates_the_missing_letters_only(tree, users, monkeypatch):
    real = letters_mod._notify_addressees
    calls = {"n": 0}

    def crash_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with fake_due_source(_items(tree)):
        monkeypatch.setattr(letters_mod, "_notify_addressees", crash_on_second_batch)
        with pytest.raises(RuntimeError):
            letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1, batch_size=1)
        assert Letter.objects.count() == 1  # the first batch committed, the second rolled back whole
        assert LetterItem.objects.count() == Letter.objects.get().item_count
        monkeypatch.setattr(letters_mod, "_notify_addressees", real)
        res = letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1, batch_size=1)
    assert res.created == 2 and res.existing == 1
    assert Letter.objects.count() == 3 and LetterItem.objects.count() == 4
    assert sorted(Letter.objects.values_list("number", flat=True)) == [1, 2, 3]


def test_unique_constraint_is_the_last_line_of_defence(tree, users):
    letter = make_letter(tree.city, tree.branch_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            kind=letter.kind, issuer=letter.issuer, addressee=letter.addressee, org_path=letter.org_path,
            period=letter.period, year=2026, number=99, title="t", body="b", issued_on=NOV1, response_deadline=NOV1,
        )  # fmt: skip


def test_numbers_continue_across_kinds_per_issuer_and_year(tree, users):
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
        letters_issue_monthly(kind="supervision", period="2026-11", today=datetime.date(2026, 11, 15))
    numbers = sorted(Letter.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]


def test_nearest_issuer_with_a_rule_sends(tree, users):
    LetterRule.objects.create(issuer=tree.city)
    LetterRule.objects.create(issuer=tree.district_a)
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
    issuers = dict(Letter.objects.values_list("addressee_id", "issuer_id"))
    assert issuers == {tree.branch_a.pk: tree.district_a.pk, tree.branch_b.pk: tree.district_a.pk,
                       tree.branch_c.pk: tree.city.pk}  # fmt: skip


def test_disabled_kind_sends_nothing(tree, users):
    LetterRule.objects.create(issuer=tree.city, reminder_enabled=False)
    with fake_due_source(_items(tree)):
        assert letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1).created == 0


def test_supervision_letter_goes_out_on_the_rule_day(tree, users):
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="supervision", period="2026-11", today=datetime.date(2026, 11, 20))
    assert set(Letter.objects.values_list("issued_on", flat=True)) == {datetime.date(2026, 11, 15)}
    assert set(Letter.objects.values_list("addressee_id", flat=True)) == {tree.branch_a.pk, tree.branch_c.pk}


def test_warning_only_where_a_supervision_letter_did_not_help(tree, users):
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="supervision", period="2026-11", today=datetime.date(2026, 11, 15))
        res = letters_issue_monthly(kind="warning", period="2026-11", today=datetime.date(2026, 11, 30))
    warned = set(Letter.objects.filter(kind="warning").values_list("addressee_id", flat=True))
    assert warned == {tree.branch_a.pk}  # branch_b had no supervision letter, branch_c nothing left at month end
    assert res.created == 1
    assert Letter.objects.get(kind="warning").issued_on == datetime.date(2026, 11, 30)


def test_two_warnings_in_three_months_open_one_accountability_case(tree, users):
    make_letter(tree.city, tree.branch_a, kind="warning", period="2026-10")
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="supervision", period="2026-11", today=datetime.date(2026, 11, 15))
        res = letters_issue_monthly(kind="warning", period="2026-11", today=datetime.date(2026, 11, 30))
        again = letters_issue_monthly(kind="warning", period="2026-11", today=datetime.date(2026, 11, 30))
    assert res.accountabilities == 1 and again.accountabilities == 0
    acc = Accountability.objects.get()
    assert acc.organization == tree.branch_a and acc.issuer == tree.city and acc.is_automatic
    assert acc.letters.count() == 2
    assert Notice.objects.filter(recipient=users.city_staff, title__contains="问责").exists()


def test_letters_notify_the_addressee_users_once(tree, users):
    users.secretary_a.email = "a@example.org"
    users.secretary_a.phone = "13800138000"
    users.secretary_a.save()
    with fake_due_source(_items(tree)):
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
    notices = Notice.objects.filter(recipient=users.secretary_a)
    assert notices.count() == 1
    n = notices.get()
    letter = Letter.objects.get(addressee=tree.branch_a)
    assert n.link == letter.get_absolute_url() and "工作提示函" in n.title
    assert set(Delivery.objects.filter(notice=n).values_list("channel", flat=True)) == {"in_app", "email", "sms"}
    assert not Notice.objects.filter(recipient=users.secretary_b).exclude(title__contains=letter.issuer.name).exists()


def test_term_due_source_feeds_reminder_letters(tree, users):
    from apps.organizations.services import organization_update

    organization_update(
        acting_user=users.admin, organization=tree.branch_a, term_started_on=datetime.date(2021, 12, 1), term_years=5
    )
    letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
    item = LetterItem.objects.get(letter__addressee=tree.branch_a, kind="term_due")
    assert item.kind == "term_due" and item.object_ref == f"organizations.organization:{tree.branch_a.pk}"


def test_issue_letters_command_is_idempotent(tree, users, capsys):
    with fake_due_source(_items(tree)):
        call_command("issue_letters", "--kind", "reminder", "--period", "2026-11")
        call_command("issue_letters", "--kind", "reminder", "--period", "2026-11")
    out = capsys.readouterr().out
    assert "新发 3 份" in out and "新发 0 份，已存在 3 份" in out
    assert Letter.objects.count() == 3


def test_task_runs_eagerly(tree, users):
    from apps.supervision.tasks import letters_issue_monthly_task

    with fake_due_source(_items(tree)):
        result = letters_issue_monthly_task.delay("reminder", "2026-11").get()
    assert result["created"] == 3


def test_scheduled_task_issues_only_on_the_rule_day(tree, users):
    from apps.supervision.tasks import letters_issue_scheduled_task

    with fake_due_source(_items(tree)):
        assert letters_issue_scheduled_task.delay("supervision", "2026-11-14").get()["created"] == 0
        assert letters_issue_scheduled_task.delay("supervision", "2026-11-15").get()["created"] == 2
        assert letters_issue_scheduled_task.delay("warning", "2026-11-29").get()["created"] == 0
        assert letters_issue_scheduled_task.delay("warning", "2026-11-30").get()["created"] == 1


def test_default_schedule_is_installed_and_idempotent():
    from django_celery_beat.models import PeriodicTask

    from apps.supervision.schedule import install_default_schedule

    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert "apps.supervision.tasks.letters_issue_scheduled_task" in names
    assert PeriodicTask.objects.filter(task="apps.supervision.tasks.letters_issue_scheduled_task").count() == 3
    assert install_default_schedule() == 0


def test_finished_run_is_not_redone_unless_forced(tree, users):
    from apps.supervision.models import LetterRun

    items = _items(tree)
    with fake_due_source(items):
        letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1)
        run = LetterRun.objects.get(kind="reminder", period="2026-11")
        assert run.finished_at is not None and run.created == 3
        items["reminder"].append(DueItem(tree.group_a.pk, "task_due", "党小组会", None, ""))
        assert letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1).created == 0
        forced = letters_issue_monthly(kind="reminder", period="2026-11", today=NOV1, force=True)
    assert forced.created == 1 and forced.existing == 3
    assert Letter.objects.filter(addressee=tree.group_a).count() == 1


def test_issuer_argument_keeps_nearest_issuer_rule(tree, users):
    LetterRule.objects.create(issuer=tree.city)
    LetterRule.objects.create(issuer=tree.district_a)
    with fake_due_source(_items(tree)):
        res = letters_issue_monthly(kind="reminder", period="2026-11", issuer=tree.city, today=NOV1)
    assert res.created == 1  # branch_c only; branch_a and branch_b belong to the district's run
    assert Letter.objects.get().addressee == tree.branch_c
