import pytest
from django.apps import apps

from apps.core.scoping import OrgScopedQuerySet
from apps.organizations.services import organization_move
from apps.responsibility.models import MeetingRequirement, MonthlyLedger, TaskItem
from tests.factories.responsibility import make_ledger, make_meeting, make_task

pytestmark = pytest.mark.django_db


def test_every_responsibility_model_with_rows_of_an_organization_is_scoped():
    unscoped = {MeetingRequirement}  # a rule table, not organization data
    for model in apps.get_app_config("responsibility").get_models():
        if model in unscoped or model._meta.auto_created:
            continue
        assert isinstance(model._default_manager.get_queryset(), OrgScopedQuerySet), model.__name__


def test_moving_a_branch_rewrites_copied_paths(tree, users):
    task = make_task(tree.branch_a)
    ledger = make_ledger(tree.branch_a)
    meeting = make_meeting(ledger)
    organization_move(acting_user=users.admin, organization=tree.branch_a, new_parent=tree.district_b)
    tree.branch_a.refresh_from_db()
    for obj in (task, ledger, meeting):
        obj.refresh_from_db()
        assert obj.org_path == tree.branch_a.path
    assert TaskItem.objects.visible_to(users.district_b_staff).filter(pk=task.pk).exists()
    assert not MonthlyLedger.objects.visible_to(users.district_staff).filter(pk=ledger.pk).exists()
