"""After scoring: publish (scores frozen, grades and stars written to the organizations, problem items for
lagging ones), appeals in the window, and marking lagging organizations for consolidation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import ConsolidationStatus, Grade
from apps.organizations.models import Organization

from .choices import AppealStatus, PlanStatus
from .models import Appeal, AssessmentPlan, AssessmentResult, Indicator, ItemScore
from .scoring import recalculate_results


def _write_grades(*, acting_user: Any, plan: AssessmentPlan, only: list[int] | None = None) -> int:
    """The year's grade and star on each organization, one audit row each (the organization's history)."""
    from apps.organizations.services import organization_update

    results = AssessmentResult.objects.filter(plan=plan).select_related("organization")
    if only is not None:
        results = results.filter(pk__in=only)
    n = 0
    for r in results.iterator(2000):
        org = r.organization
        fields: dict[str, Any] = {}
        if org.grade != r.grade:
            fields["grade"] = r.grade
        if r.star_rating is not None and org.star_rating != r.star_rating:
            fields["star_rating"] = r.star_rating
        if fields:
            organization_update(acting_user=acting_user, organization=org, **fields)
            n += 1
    return n


def _problem_for_lagging(*, acting_user: Any, result: AssessmentResult) -> None:
    """A lagging organization gets an item in its problem list (问题清单), once per result."""
    if result.problem_ref:
        return
    from apps.responsibility.choices import DeadlineClass, ProblemSource
    from apps.responsibility.services import problem_create

    plan = result.plan
    reason = result.veto_reason or _("总分%(total)s分，第%(rank)s名") % {"total": result.total, "rank": result.rank}
    today = timezone.localdate()
    problem = problem_create(
        acting_user=acting_user,
        organization=result.organization,
        year=today.year,
        source=ProblemSource.ASSESSMENT,
        category=_("考核后进"),
        description=_("%(plan)s评定为后进（%(reason)s），须制定整改措施、限期转化。")
        % {"plan": plan.title, "reason": reason},
        severity="serious",
        found_on=today,
        deadline_class=DeadlineClass.BY_DATE,
        deadline=today + datetime.timedelta(days=90),
    )
    AssessmentResult.objects.filter(pk=result.pk).update(problem_ref=f"responsibility.problemitem:{problem.pk}")


@transaction.atomic
def plan_publish(*, acting_user: Any, plan: AssessmentPlan) -> AssessmentPlan:
    """Freeze the scores, open the appeal window, write grades/stars, raise problem items for lagging ones."""
    ensure_perm(acting_user, "assessment.publish_assessmentplan")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
    if plan.status != PlanStatus.SCORING:
        raise ValidationError({"__all__": _("只有评分中的考核方案才能发布。")})
    if plan.computed_at is None:
        raise ValidationError({"__all__": _("请先计算得分，再发布考核结果。")})
    recalculate_results(plan)
    before = snapshot(plan, ["status", "appeal_deadline"])
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan.published_by = acting_user if acting_user.pk else None
    plan.appeal_deadline = timezone.localdate() + datetime.timedelta(days=plan.appeal_days)
    plan.save(update_fields=["status", "published_at", "published_by", "appeal_deadline"])
    written = _write_grades(acting_user=acting_user, plan=plan)
    lagging = AssessmentResult.objects.filter(plan=plan, grade=Grade.LAGGING).select_related("organization", "plan")
    for result in lagging:
        _problem_for_lagging(acting_user=acting_user, result=result)
    audit_record(
        actor=acting_user,
        event="assessmentplan.publish",
        obj=plan,
        before=before,
        after=snapshot(plan, ["status", "appeal_deadline"]),
        note=_("写入等次%(n)d个组织") % {"n": written},
    )
    return plan


@transaction.atomic
def result_mark_consolidation(*, acting_user: Any, result: AssessmentResult) -> AssessmentResult:
    """List a lagging organization for consolidation (软弱涣散整顿) on the organization itself."""
    from apps.organizations.services import organization_update

    ensure_perm(acting_user, "assessment.publish_assessmentplan")
    ensure_org_in_scope(acting_user, result.plan.organization)
    if result.grade != Grade.LAGGING:
        raise ValidationError({"__all__": _("只有评定为后进的组织才能列入整顿。")})
    if result.marked_for_consolidation:
        raise ValidationError({"__all__": _("该组织已列入整顿。")})
    organization_update(
        acting_user=acting_user,
        organization=result.organization,
        is_weak=True,
        consolidation_status=ConsolidationStatus.IN_PROGRESS,
    )
    AssessmentResult.objects.filter(pk=result.pk).update(marked_for_consolidation=True)
    result.marked_for_consolidation = True
    audit_record(
        actor=acting_user,
        event="assessmentresult.consolidation",
        obj=result,
        after={"marked_for_consolidation": True},
    )
    return result


@transaction.atomic
def appeal_submit(
    *, acting_user: Any, result: AssessmentResult, reason: str, indicator: Indicator | None = None
) -> Appeal:
    """The assessed organization (its own users) contests an item or the total within the window."""
    ensure_perm(acting_user, "assessment.add_appeal")
    ensure_org_in_scope(acting_user, result.organization)
    own = getattr(acting_user, "organization", None)
    if own is None or not own.path.startswith(result.org_path):
        raise ValidationError({"reason": _("只有被考核组织本身才能提出申诉。")})
    plan = result.plan
    if not plan.appeal_open:
        raise ValidationError({"reason": _("不在申诉期内，不能提出申诉。")})
    if indicator is not None and indicator.plan_id != plan.pk:
        raise ValidationError({"indicator": _("指标不属于该考核方案。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写申诉理由。")})
    if Appeal.objects.filter(result=result, indicator=indicator, status=AppealStatus.OPEN).exists():
        raise ValidationError({"indicator": _("该项已有待答复的申诉。")})
    appeal = Appeal.objects.create(
        result=result,
        indicator=indicator,
        org_path=result.org_path,
        reason=reason.strip(),
        submitted_by=acting_user if acting_user.pk else None,
    )
    audit_record(actor=acting_user, event="appeal.create", obj=appeal, after=snapshot(appeal))
    return appeal


@transaction.atomic
def appeal_answer(
    *, acting_user: Any, appeal: Appeal, accept: bool, answer: str, new_points: Decimal | None = None
) -> Appeal:
    """Staff of the issuing organization answer. Accepting with new points is the only change a published
    plan allows: the item is corrected and totals, ranks and grades are recalculated and rewritten."""
    ensure_perm(acting_user, "assessment.answer_appeal")
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("result__plan__organization", "indicator")
        .get(pk=appeal.pk)
    )
    plan = appeal.result.plan
    ensure_org_in_scope(acting_user, plan.organization)
    if acting_user.organization_id and acting_user.organization_id == appeal.result.organization_id:
        raise ValidationError({"answer": _("不能答复本组织提出的申诉。")})
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError({"answer": _("该申诉已答复。")})
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复意见。")})
    before = snapshot(appeal)
    if accept and new_points is not None:
        ind = appeal.indicator
        if ind is None:
            raise ValidationError({"new_points": _("针对总分的申诉不能直接改分，请指明指标。")})
        if not (0 <= new_points <= ind.points):
            raise ValidationError({"new_points": _("得分应在0到%(max)s分之间。") % {"max": ind.points.normalize()}})
        score, _created = ItemScore.objects.get_or_create(
            result=appeal.result,
            indicator=ind,
            defaults={"org_path": appeal.result.org_path, "category": ind.category},
        )
        appeal.points_before = score.points
        score.points = new_points
        score.adjusted_by_appeal = True
        score.evidence = (_("经申诉调整：") + answer.strip())[:300]
        score.save(update_fields=["points", "adjusted_by_appeal", "evidence"])
        appeal.points_after = new_points
        old = dict(AssessmentResult.objects.filter(plan=plan).values_list("pk", "grade"))
        recalculate_results(plan)
        new = dict(AssessmentResult.objects.filter(plan=plan).values_list("pk", "grade"))
        _write_grades(acting_user=acting_user, plan=plan, only=[pk for pk, g in new.items() if old.get(pk) != g])
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.answer = answer.strip()
    appeal.answered_by = acting_user if acting_user.pk else None
    appeal.answered_at = timezone.now()
    appeal.save()
    audit_record(actor=acting_user, event="appeal.answer", obj=appeal, before=before, after=snapshot(appeal))
    return appeal


def grade_history(*, user: Any, organization: Organization) -> list[AssessmentResult]:
    """The organization's published results, newest year first (its grade history)."""
    return list(
        AssessmentResult.objects.visible_to(user)
        .filter(organization=organization, plan__status=PlanStatus.PUBLISHED)
        .select_related("plan")
        .order_by("-plan__year", "-plan_id")
    )
