"""Reads for assessment pages, API and exports; always from visible_to(user)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from apps.core.metrics import metrics
from apps.core.scoping import user_scope_path

from .choices import IndicatorCategory, PlanStatus, ScoringMethod
from .models import AssessmentPlan, AssessmentResult, ComputeJob, Indicator, ItemScore, RaterScore, VoteTally
from .scoring import evidence_for, plan_period


def indicator_tree(plan: AssessmentPlan) -> list[dict[str, Any]]:
    """Groups with their items, then the bonus, deduction and veto items, in order (one query)."""
    inds = list(plan.indicators.order_by("seq", "id"))
    children: dict[int, list[Indicator]] = defaultdict(list)
    for i in inds:
        if i.parent_id:
            children[i.parent_id].append(i)
    out = []
    for i in inds:
        if i.category == IndicatorCategory.GROUP:
            out.append({"node": i, "items": children.get(i.pk, [])})
    for cat in (IndicatorCategory.BONUS, IndicatorCategory.DEDUCTION, IndicatorCategory.VETO):
        items = [i for i in inds if i.category == cat and not i.parent_id]
        if items:
            out.append({"node": None, "label": IndicatorCategory(cat).label, "items": items})
    return out


def ranking(*, user: Any, plan: AssessmentPlan) -> QuerySet[AssessmentResult]:
    """Results the user may see, by rank (siblings' rows appear only once the plan is published)."""
    return (
        AssessmentResult.objects.ranking_for(user, plan)
        .select_related("organization")
        .only(
            "id",
            "plan_id",
            "rank",
            "total",
            "base_points",
            "bonus_points",
            "deduction_points",
            "grade",
            "star_rating",
            "vetoed",
            "veto_reason",
            "marked_for_consolidation",
            "org_path",
            "position",
            "organization__name",
            "organization__code",
            "organization__kind",
        )
        .order_by("position", "id")
    )


RANKING_PAGE = 50


def ranking_page(*, user: Any, plan: AssessmentPlan, page: int = 1, after: int | None = None) -> dict[str, Any]:
    """One page of the ranking by seek, never OFFSET: whoever sees the whole plan seeks page N by the
    pre-numbered position ((N-1)*50 < position <= N*50, the (plan, position) index) and reads the total from
    the plan's pre-aggregated summary; others (their own subtree before publishing) follow an ``after``
    cursor (position of the last row shown). Two queries, whatever the page."""
    prefix = user_scope_path(user)
    full = prefix is not None and plan.organization.path.startswith(prefix)
    qs = ranking(user=user, plan=plan)
    if full:
        total = int((plan.summary or {}).get("total") or 0)
        pages = max(1, -(-total // RANKING_PAGE))
        page = min(max(page, 1), pages)
        low = (page - 1) * RANKING_PAGE
        rows = qs.filter(position__gt=low, position__lte=low + RANKING_PAGE)  # lazy: the page may be cached
        return {"rows": rows, "full": True, "page": page, "pages": pages, "total": total,
                "has_next": page < pages, "has_previous": page > 1}  # fmt: skip
    if after is not None:
        qs = qs.filter(position__gt=after)
    rows = list(qs[: RANKING_PAGE + 1])
    has_next = len(rows) > RANKING_PAGE
    rows = rows[:RANKING_PAGE]
    return {"rows": rows, "full": False, "has_next": has_next, "has_previous": after is not None,
            "next_after": rows[-1].position if has_next and rows else None}  # fmt: skip


def score_sheet(*, user: Any, result: AssessmentResult) -> list[dict[str, Any]]:
    """The organization's score sheet: each item with points, evidence and (for system items) the link."""
    plan = result.plan
    scores = {s.indicator_id: s for s in ItemScore.objects.visible_to(user).filter(result=result)}
    raters: dict[int, list[RaterScore]] = defaultdict(list)
    for r in RaterScore.objects.visible_to(user).filter(result=result).select_related("rater"):
        raters[r.indicator_id].append(r)
    votes = {v.indicator_id: v for v in VoteTally.objects.visible_to(user).filter(result=result)}
    registered = metrics()
    start, end = plan_period(plan)
    rows = []
    for block in indicator_tree(plan):
        items = []
        for ind in block["items"]:
            metric = registered.get(ind.metric_name) if ind.method == ScoringMethod.SYSTEM else None
            link = metric.link(result.organization, start, end) if metric and metric.link else ""
            score = scores.get(ind.pk)
            items.append(
                {
                    "indicator": ind,
                    "score": score,
                    "evidence": evidence_for(plan=plan, indicator=ind, score=score),
                    "raters": raters.get(ind.pk, []),
                    "votes": votes.get(ind.pk),
                    "link": link,
                }
            )
        rows.append({**block, "items": items})
    return rows


def latest_job(plan: AssessmentPlan) -> ComputeJob | None:
    return ComputeJob.objects.filter(plan=plan).order_by("-created_at").first()


def plan_counts(plan: AssessmentPlan) -> dict[str, int]:
    """Counts by grade, pre-aggregated on the plan by each recalculation (no scan of the results)."""
    return {k: v for k, v in (plan.summary or {}).items() if k != "version"}


def own_result(*, user: Any, plan: AssessmentPlan) -> AssessmentResult | None:
    org = getattr(user, "organization", None)
    if org is None or plan.status == PlanStatus.DRAFT:
        return None
    return AssessmentResult.objects.visible_to(user).filter(plan=plan, organization=org).first()
