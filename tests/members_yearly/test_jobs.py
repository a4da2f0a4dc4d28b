import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from apps.core.due_items import collect_due_items
from apps.core.periods import Period
from apps.members.appraisal_models import MemberCard
from apps.members.services import member_update
from apps.members.tasks import members_daily_task, members_monthly_task
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_jobs_are_idempotent_and_the_command_runs(tree, users):
    make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    first = members_daily_task()
    assert first["contact"]["lost_contact"] == 1
    assert members_daily_task()["contact"]["lost_contact"] == 0
    assert members_monthly_task()["cards"] == 1
    assert members_monthly_task()["cards_changed"] == 0
    assert MemberCard.objects.count() == 1
    out = StringIO()
    call_command("members_yearly_run", "--monthly", stdout=out)
    assert "cards" in out.getvalue()


def test_a_changed_work_unit_suggests_a_transfer(tree, users):
    m = make_member(tree.branch_a, work_unit="甲公司")
    member_update(acting_user=users.district_staff, member=m, work_unit="乙公司")
    items = [i for i in collect_due_items(period=Period.current(), stage="reminder") if i.kind == "transfer_suggested"]
    assert [(i.organization_id, "工作单位发生变化" in i.title) for i in items] == [(tree.branch_a.pk, True)]


def test_yearly_jobs_are_in_the_beat_schedule():
    """The data migration installs the daily and the monthly job; re-running it neither duplicates nor
    overwrites an entry an admin has edited; each entry names a task the worker knows."""
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from dangjian.celery import app as celery_app

    migration = importlib.import_module("apps.members.migrations.0010_schedule_yearly_jobs")
    PeriodicTask.objects.filter(task__startswith="apps.members.tasks.").delete()
    migration.schedule(apps, None)
    rows = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="apps.members.tasks.")}
    assert set(rows) == {"apps.members.tasks.members_daily_task", "apps.members.tasks.members_monthly_task"}
    daily, monthly = rows["apps.members.tasks.members_daily_task"], rows["apps.members.tasks.members_monthly_task"]
    assert (daily.crontab.day_of_month, daily.crontab.hour, daily.enabled) == ("*", "1", True)
    assert (monthly.crontab.day_of_month, monthly.crontab.hour) == ("1", "3")
    assert str(monthly.crontab.timezone) == "Asia/Shanghai"
    celery_app.loader.import_default_modules()
    assert {daily.task, monthly.task} <= set(celery_app.tasks)
    PeriodicTask.objects.filter(pk=daily.pk).update(enabled=False)
    migration.schedule(apps, None)
    assert PeriodicTask.objects.filter(task__startswith="apps.members.tasks.").count() == 2
    assert PeriodicTask.objects.get(pk=daily.pk).enabled is False
