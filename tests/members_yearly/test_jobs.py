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
    members_monthly_task()
    assert MemberCard.objects.count() == 1
    out = StringIO()
    call_command("members_yearly_run", "--monthly", stdout=out)
    assert "cards" in out.getvalue()


def test_a_changed_work_unit_suggests_a_transfer(tree, users):
    m = make_member(tree.branch_a, work_unit="甲公司")
    member_update(acting_user=users.district_staff, member=m, work_unit="乙公司")
    items = [i for i in collect_due_items(period=Period.current(), stage="reminder") if i.kind == "transfer_suggested"]
    assert [(i.organization_id, "工作单位发生变化" in i.title) for i in items] == [(tree.branch_a.pk, True)]
