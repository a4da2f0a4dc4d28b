"""The plan computation as a Celery task with progress (a ComputeJob row the page polls)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.core.tasks import service_task

from .models import AssessmentPlan, ComputeJob


def plan_compute_start(*, acting_user: Any, plan: AssessmentPlan) -> ComputeJob:
    """Queue the computation (runs in-process without a broker); the job row shows its progress."""
    from .choices import PlanStatus
    from .scoring import computable_indicators

    ensure_perm(acting_user, "assessment.score_assessment")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.get(pk=plan.pk)
    if plan.status != PlanStatus.SCORING:
        raise ValidationError({"__all__": _("只有评分中的考核方案才能计算得分。")})
    if ComputeJob.objects.filter(plan=plan, status__in=["queued", "running"]).exists():
        raise ValidationError({"__all__": _("该方案正在计算中，请稍候。")})
    job = ComputeJob.objects.create(
        plan=plan, total_steps=len(computable_indicators(plan)), created_by=acting_user if acting_user.pk else None
    )
    transaction.on_commit(lambda: plan_compute_task.delay(job.pk))
    return job


@service_task(max_retries=3)
def plan_compute_task(job_id: int) -> dict:
    from .scoring import plan_compute

    job = ComputeJob.objects.select_related("plan", "created_by").get(pk=job_id)
    if job.status == "done":
        return {"skipped": True}
    ComputeJob.objects.filter(pk=job.pk).update(status="running")

    def progress(done: int, total: int) -> None:
        ComputeJob.objects.filter(pk=job.pk).update(done_steps=done, total_steps=total)

    try:
        res = plan_compute(acting_user=job.created_by, plan=job.plan, progress=progress)
    except (ValidationError, PermissionDenied) as exc:
        msg = "；".join(getattr(exc, "messages", [str(exc)]))
        ComputeJob.objects.filter(pk=job.pk).update(status="failed", message=msg[:500], finished_at=timezone.now())
        return {"failed": msg}
    ComputeJob.objects.filter(pk=job.pk).update(
        status="done",
        finished_at=timezone.now(),
        message=_("已计算%(i)d项指标、%(o)d个组织") % {"i": res["indicators"], "o": res["organizations"]},
    )
    return res
