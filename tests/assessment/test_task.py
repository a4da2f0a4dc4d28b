import pytest
from django.core.exceptions import ValidationError

from apps.assessment import services
from apps.assessment.models import ComputeJob, ItemScore
from tests.factories.assessment import add, make_plan

pytestmark = pytest.mark.django_db


def test_compute_task_records_progress_and_is_idempotent(tree, users, rate_metric, django_capture_on_commit_callbacks):
    staff = users.district_staff
    plan = make_plan(staff, tree.district_a)
    group = add(staff, plan, "台账", "group", 100)
    for i in range(2):
        add(staff, plan, f"按时提交率{i}", "standard", 50, parent=group, method="system", metric_name="test.rate",
            rule={"kind": "linear", "low": 0, "high": 100})  # fmt: skip
    services.plan_start_scoring(acting_user=staff, plan=plan)
    rate_metric[tree.branch_a.path] = (1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.plan_compute_start(acting_user=staff, plan=plan)
    job.refresh_from_db()
    assert (job.status, job.done_steps, job.total_steps, job.percent) == ("done", 2, 2, 100)
    from apps.assessment.tasks import plan_compute_task

    assert plan_compute_task(job.pk) == {"skipped": True}
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_compute_start(acting_user=staff, plan=plan)
    assert ItemScore.objects.filter(result__plan=plan).count() == 4
    assert ComputeJob.objects.filter(plan=plan, status="done").count() == 2


def test_compute_refused_for_a_draft_plan(tree, users):
    plan = make_plan(users.district_staff, tree.district_a)
    with pytest.raises(ValidationError):
        services.plan_compute_start(acting_user=users.district_staff, plan=plan)


def test_job_progress_fragment_renders(tree, users, client_for):
    from django.urls import reverse

    plan = make_plan(users.district_staff, tree.district_a)
    assert client_for(users.district_staff).get(reverse("assessment:plan_job", args=[plan.pk])).status_code == 200
    assert client_for(users.district_b_staff).get(reverse("assessment:plan_job", args=[plan.pk])).status_code == 404
