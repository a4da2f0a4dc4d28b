"""Scores: computing every indicator for all assessed organizations (one read per indicator, one write per
indicator), rater scores, vote tallies, vetoes, then totals, ranks and grades in a few set-based statements.

Recomputing replaces an indicator's scores (delete + insert in one transaction), so running twice never
duplicates. Item scores a person set (manual items) are left alone by the computation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.metrics import metrics
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import Grade

from .choices import GradingMethod, IndicatorCategory, PlanStatus, ScoringMethod
from .models import AssessmentPlan, AssessmentResult, DutyReport, Indicator, ItemScore, RaterScore, VoteTally
from .plans import ensure_editable
from .rules import ZERO, combine_raters, fmt_figure, q, vote_share
from .system_scores import metric_unit, period_text, python_rows, write_system_scores_pg

Row = tuple[int, str, Decimal, Decimal | None, str]  # result id, org path, points, figure, evidence
COMPUTED_METHODS = (
    ScoringMethod.SYSTEM,
    ScoringMethod.RATERS,
    ScoringMethod.DEMOCRATIC,
    ScoringMethod.DUTY_REVIEW,
    ScoringMethod.OBSERVATION,
)


def plan_period(plan: AssessmentPlan) -> tuple[datetime.date, datetime.date]:
    return datetime.date(plan.year, 1, 1), datetime.date(plan.year, 12, 31)


def _results(plan: AssessmentPlan) -> list[tuple[int, int, str]]:
    return list(AssessmentResult.objects.filter(plan=plan).values_list("pk", "organization_id", "org_path"))


# ------------------------------------------------------------------ one indicator, all organizations


def evidence_for(*, plan: AssessmentPlan, indicator: Indicator, score: ItemScore | None) -> str:
    """What a score rests on: stored text, or for a system item the figure, its unit and the period."""
    if score is None:
        return ""
    if score.evidence or indicator.method != ScoringMethod.SYSTEM or indicator.category == IndicatorCategory.VETO:
        return score.evidence
    metric = metrics().get(indicator.metric_name)
    if metric is None:
        return ""
    if score.figure is None:
        return f"{metric.label}：{_('无应办事项')}（{period_text(plan)}）"
    return f"{metric.label}：{fmt_figure(score.figure)}{metric_unit(metric)}（{period_text(plan)}）"


def rater_rows(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> list[Row]:
    by_result: dict[int, list[Decimal]] = defaultdict(list)
    for result_id, points in RaterScore.objects.filter(indicator=ind).values_list("result_id", "points"):
        by_result[result_id].append(points)
    rows = []
    for pk, _org, path in results:
        vals = by_result.get(pk)
        if not vals:
            continue
        combined = combine_raters(vals, plan.rater_combine)
        points = min(combined, ind.points)
        rows.append((pk, path, points, combined, _("%(n)d位评委打分") % {"n": len(vals)}))
    return rows


def _share_rows(ind: Indicator, shares: dict[int, tuple[Decimal | None, str]], results: Iterable) -> list[Row]:
    rows = []
    for pk, _org, path in results:
        share, evidence = shares.get(pk, (None, ""))
        if share is None:
            continue
        rows.append((pk, path, q(ind.points * share), q(share * 100), evidence[:300]))
    return rows


def democratic_rows(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> list[Row]:
    weights = (ind.rule or {}).get("weights")
    shares = {}
    for t in VoteTally.objects.filter(indicator=ind):
        counts = {"good": t.good, "fair": t.fair, "average": t.average, "poor": t.poor}
        evidence = _("民主测评 好%(g)d 较好%(f)d 一般%(a)d 差%(p)d") % {
            "g": t.good,
            "f": t.fair,
            "a": t.average,
            "p": t.poor,
        }
        shares[t.result_id] = (vote_share(counts, weights), evidence)
    return _share_rows(ind, shares, results)


def duty_rows(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> list[Row]:
    weights = (ind.rule or {}).get("weights")
    by_org = {r[1]: r[0] for r in results}
    shares = {}
    reports = DutyReport.objects.filter(year=plan.year, organization_id__in=list(by_org), status="reviewed")
    for rep in reports:
        counts = {
            "good": rep.votes_good,
            "fair": rep.votes_fair,
            "average": rep.votes_average,
            "poor": rep.votes_poor,
        }
        if not sum(counts.values()) and rep.rating:
            counts = {rep.rating: 1}
        evidence = _("述职评议：%(rating)s（好%(g)d 较好%(f)d 一般%(a)d 差%(p)d）") % {
            "rating": rep.get_rating_display() or "—",
            "g": rep.votes_good,
            "f": rep.votes_fair,
            "a": rep.votes_average,
            "p": rep.votes_poor,
        }
        shares[by_org[rep.organization_id]] = (vote_share(counts, weights), evidence)
    return _share_rows(ind, shares, results)


def observation_rows(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> list[Row]:
    """The visit's ranking: each target's mean total as a share of the sheet's maximum (ranks as evidence)."""
    from apps.supervision.observation_scoring import observation_visit_results

    visit_results = observation_visit_results(visit_id=int(ind.rule["visit"]))
    shares = {}
    by_path = {path: pk for pk, _org, path in results}
    for _org_id, (path, share, rank, count) in visit_results.items():
        # the visited organization itself, or the assessed organization it lies under
        owner = next((by_path[p] for p in _ancestor_paths(path) if p in by_path), None)
        if owner is None:
            continue
        shares[owner] = (share, _("观摩第%(rank)d名（共%(n)d个）") % {"rank": rank, "n": count})
    return _share_rows(ind, shares, results)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


ROW_BUILDERS: dict[str, Callable[..., list[Row]]] = {
    ScoringMethod.SYSTEM: python_rows,
    ScoringMethod.RATERS: rater_rows,
    ScoringMethod.DEMOCRATIC: democratic_rows,
    ScoringMethod.DUTY_REVIEW: duty_rows,
    ScoringMethod.OBSERVATION: observation_rows,
}


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def replace_item_scores(ind: Indicator, rows: list[Row]) -> None:
    """Idempotent write of one indicator's scores: delete, then COPY (PostgreSQL) or bulk insert."""
    ItemScore.objects.filter(indicator=ind).delete()
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = ItemScore._meta.db_table
        cols = "result_id, indicator_id, org_path, category, points, figure, evidence, adjusted_by_appeal"
        fixed = f"\t{ind.pk}\t"
        tail = f"\t{ind.category}\t"
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            chunk: list[str] = []
            for pk, path, points, figure, evidence in rows:
                text = _copy_text(evidence) if evidence else ""
                fig = "\\N" if figure is None else str(figure)
                chunk.append(f"{pk}{fixed}{path}{tail}{points}\t{fig}\t{text}\tf\n")
                if len(chunk) >= 20000:
                    copy.write("".join(chunk))
                    chunk = []
            if chunk:
                copy.write("".join(chunk))
        return
    ItemScore.objects.bulk_create(
        [
            ItemScore(
                result_id=pk,
                indicator=ind,
                org_path=path,
                category=ind.category,
                points=points,
                figure=figure,
                evidence=evidence,
            )
            for pk, path, points, figure, evidence in rows
        ],
        batch_size=2000,
    )


def compute_indicator(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> int:
    rows = ROW_BUILDERS[ind.method](plan, ind, results)
    with transaction.atomic():
        replace_item_scores(ind, rows)
    return len(rows)


# ------------------------------------------------------------------ whole plan


def computable_indicators(plan: AssessmentPlan) -> list[Indicator]:
    registered = metrics()
    return [
        ind
        for ind in plan.indicators.filter(method__in=COMPUTED_METHODS).order_by("seq", "id")
        if ind.method != ScoringMethod.SYSTEM or ind.metric_name in registered
    ]


def plan_compute(
    *,
    acting_user: Any,
    plan: AssessmentPlan,
    progress: Callable[[int, int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Compute every computed indicator for all assessed organizations, then totals, ranks and grades.
    ``step(label)`` is called at the end of each step (the bench prints wall and CPU per step)."""
    step = step or (lambda label: None)
    ensure_perm(acting_user, "assessment.score_assessment")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.select_related("organization").get(pk=plan.pk)
    if plan.status != PlanStatus.SCORING:
        raise ValidationError({"__all__": _("只有评分中的考核方案才能计算得分。")})
    results = _results(plan)
    indicators = computable_indicators(plan)
    total = len(indicators)
    written = 0
    done = 0
    system = [i for i in indicators if i.method == ScoringMethod.SYSTEM]
    if system and connection.vendor == "postgresql":
        # all system indicators at once: metrics read in bulk and rolled up, rules and the write in SQL
        written += write_system_scores_pg(plan, system, results, progress=(lambda n: progress(n, total))
                                          if progress else None, step=step)  # fmt: skip
        step("commit system scores")
        done = len(system)
        rest = [i for i in indicators if i.method != ScoringMethod.SYSTEM]
    else:
        rest = indicators
    for ind in rest:
        written += compute_indicator(plan, ind, results)
        done += 1
        if progress:
            progress(done, total)
    step("other computed indicators")
    with transaction.atomic():
        recalculate_results(plan, step=step)
        AssessmentPlan.objects.filter(pk=plan.pk).update(computed_at=timezone.now())
        if connection.vendor == "postgresql":
            # a big rewrite leaves the planner's row counts stale; the ranking page needs the (plan, rank) index
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {AssessmentResult._meta.db_table}, {ItemScore._meta.db_table}")
            step("analyze")
        audit_record(
            actor=acting_user,
            event="assessmentplan.compute",
            obj=plan,
            note=_("计算%(i)d项指标，%(n)d条得分") % {"i": len(indicators), "n": written},
        )
    step("audit and commit")
    return {"indicators": len(indicators), "scores": written, "organizations": len(results)}


def recalculate_results(plan: AssessmentPlan, step: Callable[[str], None] | None = None) -> None:
    """Totals with caps, vetoes, ranks (ties share a rank, vetoed after every non-vetoed), grades and stars in
    one UPDATE over one GROUP BY of the item scores; rows whose figures did not change are not rewritten (a
    recompute of an unchanged plan writes nothing). Then the plan's summary."""
    results, items = AssessmentResult._meta.db_table, ItemScore._meta.db_table
    pg = connection.vendor == "postgresql"

    def num(value: Any) -> Any:
        # SQLite compares a text parameter above any number: pass decimals as numbers there
        return value if pg else float(value)

    if plan.grading_method == GradingMethod.THRESHOLDS:
        advanced, lagging = "z.total >= %(adv)s", "z.total < %(lag)s"
        grade_params = {"adv": num(plan.advanced_min_score), "lag": num(plan.lagging_below_score)}
    else:
        # quotas by rank; organizations tied at the line share the better grade
        advanced = "z.rk <= (z.n * %(advq)s) / 100"
        lagging = "z.rk > z.n - (z.n * %(lagq)s) / 100"
        grade_params = {"advq": int(plan.advanced_quota_percent), "lagq": int(plan.lagging_quota_percent)}
    stars = [Decimal(str(s)) for s in plan.star_thresholds or []]
    if len(stars) == 4:
        whens = " ".join(f"WHEN z.total >= %(star{i})s THEN {5 - i}" for i in range(4))
        star_sql = f"CASE WHEN z.vetoed THEN 1 {whens} ELSE 1 END"
        grade_params.update({f"star{i}": num(s) for i, s in enumerate(stars)})
    else:
        star_sql = "CAST(NULL AS integer)"
    changed = "IS DISTINCT FROM" if pg else "IS NOT"
    cols = ("base_points", "bonus_points", "deduction_points", "total", "vetoed", "veto_reason", "rank", "position",
            "grade", "star_rating")  # fmt: skip
    new = ("base", "bonus", "deduction", "total", "vetoed", "veto_reason", "rk", "pos", "grade", "star")
    sets = ", ".join(f"{c} = x.{v}" for c, v in zip(cols, new, strict=True))
    sql = f"""
        UPDATE {results} SET {sets}
        FROM (
            SELECT z.*,
                   CASE WHEN z.vetoed THEN %(lagging)s WHEN {lagging} THEN %(lagging)s
                        WHEN {advanced} THEN %(advanced)s ELSE %(standard)s END AS grade,
                   {star_sql} AS star
            FROM (
            SELECT y.*, RANK() OVER (ORDER BY y.vetoed ASC, y.total DESC) AS rk,
                   ROW_NUMBER() OVER (ORDER BY y.vetoed ASC, y.total DESC, y.id ASC) AS pos,
                   COUNT(*) OVER () AS n FROM (
                SELECT r.id, COALESCE(a.base, 0) AS base, COALESCE(a.bonus, 0) AS bonus,
                       COALESCE(a.deduction, 0) AS deduction,
                       CASE WHEN COALESCE(a.base, 0) + COALESCE(a.bonus, 0) - COALESCE(a.deduction, 0) > 0
                            THEN COALESCE(a.base, 0) + COALESCE(a.bonus, 0) - COALESCE(a.deduction, 0) ELSE 0 END
                            AS total,
                       COALESCE(a.vetoes, 0) > 0 AS vetoed, COALESCE(a.veto_reason, '') AS veto_reason
                FROM {results} r LEFT JOIN (
                    SELECT s.result_id,
                           SUM(CASE WHEN s.category = %(std)s THEN s.points ELSE 0 END) AS base,
                           CASE WHEN SUM(CASE WHEN s.category = %(bon)s THEN s.points ELSE 0 END) > %(bcap)s
                                THEN %(bcap)s
                                ELSE SUM(CASE WHEN s.category = %(bon)s THEN s.points ELSE 0 END) END AS bonus,
                           CASE WHEN SUM(CASE WHEN s.category = %(ded)s THEN s.points ELSE 0 END) > %(dcap)s
                                THEN %(dcap)s
                                ELSE SUM(CASE WHEN s.category = %(ded)s THEN s.points ELSE 0 END) END AS deduction,
                           SUM(CASE WHEN s.category = %(veto)s AND s.figure > 0 THEN 1 ELSE 0 END) AS vetoes,
                           MIN(CASE WHEN s.category = %(veto)s AND s.figure > 0 THEN s.evidence END) AS veto_reason
                    FROM {items} s JOIN {results} rr ON rr.id = s.result_id
                    WHERE rr.plan_id = %(plan)s GROUP BY s.result_id
                ) a ON a.result_id = r.id
                WHERE r.plan_id = %(plan)s
            ) y
            ) z
        ) x WHERE {results}.id = x.id
          AND ({", ".join(f"{results}.{c}" for c in cols)}) {changed} ({", ".join(f"x.{v}" for v in new)})"""
    params = {
        "std": IndicatorCategory.STANDARD.value,
        "bon": IndicatorCategory.BONUS.value,
        "ded": IndicatorCategory.DEDUCTION.value,
        "veto": IndicatorCategory.VETO.value,
        "bcap": num(plan.bonus_cap),
        "dcap": num(plan.deduction_cap),
        "plan": plan.pk,
        "lagging": Grade.LAGGING.value,
        "advanced": Grade.ADVANCED.value,
        "standard": Grade.STANDARD.value,
        **grade_params,
    }
    with connection.cursor() as cur:
        cur.execute(sql, params)
    if step:
        step("totals, ranks, grades (one UPDATE of changed rows)")
    store_summary(plan)
    if step:
        step("summary")


def store_summary(plan: AssessmentPlan) -> dict[str, int]:
    """The plan's counts by grade, pre-aggregated once per recalculation (plan page, ranking page)."""
    from django.db.models import Count

    summary = AssessmentResult.objects.filter(plan=plan).aggregate(
        total=Count("id"),
        advanced=Count("id", filter=Q(grade=Grade.ADVANCED)),
        standard=Count("id", filter=Q(grade=Grade.STANDARD)),
        lagging=Count("id", filter=Q(grade=Grade.LAGGING)),
        vetoed=Count("id", filter=Q(vetoed=True)),
    )
    summary["version"] = f"{timezone.now().timestamp():.6f}"  # keys the ranking page's cached rows
    AssessmentPlan.objects.filter(pk=plan.pk).update(summary=summary)
    plan.summary = summary
    return summary


# ------------------------------------------------------------------ scores people give


def _check_result(acting_user: Any, result: AssessmentResult, indicator: Indicator, methods: tuple) -> None:
    ensure_perm(acting_user, "assessment.score_assessment")
    ensure_org_in_scope(acting_user, result.plan.organization)
    if result.plan.status != PlanStatus.SCORING:
        ensure_editable(result.plan)
        raise ValidationError({"__all__": _("考核方案尚未开始评分。")})
    if indicator.plan_id != result.plan_id:
        raise ValidationError({"indicator": _("指标不属于该考核方案。")})
    if indicator.method not in methods:
        raise ValidationError({"indicator": _("该指标不是这种评分方式。")})


@transaction.atomic
def rater_score_set(
    *, acting_user: Any, result: AssessmentResult, indicator: Indicator, points: Decimal, evidence: str = ""
) -> RaterScore:
    """One rater's points (re-scoring replaces the rater's own); combined when the plan is computed."""
    _check_result(acting_user, result, indicator, (ScoringMethod.RATERS,))
    if not (0 <= points <= indicator.points):
        raise ValidationError({"points": _("打分应在0到%(max)s分之间。") % {"max": indicator.points.normalize()}})
    obj, _created = RaterScore.objects.update_or_create(
        result=result,
        indicator=indicator,
        rater=acting_user,
        defaults={"points": points, "evidence": evidence.strip(), "org_path": result.org_path,
                  "scored_at": timezone.now()},
    )  # fmt: skip
    audit_record(actor=acting_user, event="raterscore.set", obj=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def vote_tally_set(
    *, acting_user: Any, result: AssessmentResult, indicator: Indicator, good: int, fair: int, average: int, poor: int
) -> VoteTally:
    _check_result(acting_user, result, indicator, (ScoringMethod.DEMOCRATIC,))
    counts = {"good": good, "fair": fair, "average": average, "poor": poor}
    for key, n in counts.items():
        if n is None or n < 0:
            raise ValidationError({key: _("票数不能为负数。")})
    obj, _created = VoteTally.objects.update_or_create(
        result=result, indicator=indicator, defaults={**counts, "org_path": result.org_path}
    )
    audit_record(actor=acting_user, event="votetally.set", obj=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def item_score_set(
    *, acting_user: Any, result: AssessmentResult, indicator: Indicator, points: Decimal, evidence: str = ""
) -> ItemScore:
    """A manually assessed item (人工评定): bonus, deduction or standard points with the reason."""
    _check_result(acting_user, result, indicator, (ScoringMethod.MANUAL,))
    if indicator.category == IndicatorCategory.VETO:
        raise ValidationError({"indicator": _("一票否决请使用「认定否决」。")})
    if not (0 <= points <= indicator.points):
        raise ValidationError({"points": _("得分应在0到%(max)s分之间。") % {"max": indicator.points.normalize()}})
    if indicator.category != IndicatorCategory.STANDARD and points and not evidence.strip():
        raise ValidationError({"evidence": _("加分、扣分须写明依据。")})
    obj, _created = ItemScore.objects.update_or_create(
        result=result,
        indicator=indicator,
        defaults={"points": points, "evidence": evidence.strip(), "org_path": result.org_path,
                  "category": indicator.category, "figure": None},
    )  # fmt: skip
    audit_record(actor=acting_user, event="itemscore.set", obj=obj, after=snapshot(obj))
    recalculate_results(result.plan)
    return obj


@transaction.atomic
def veto_set(
    *, acting_user: Any, result: AssessmentResult, indicator: Indicator, vetoed: bool, reason: str = ""
) -> AssessmentResult:
    """一票否决 by a person: the reason is required and recorded; clearing it is recorded too."""
    _check_result(acting_user, result, indicator, (ScoringMethod.MANUAL,))
    if indicator.category != IndicatorCategory.VETO:
        raise ValidationError({"indicator": _("该指标不是一票否决项。")})
    if vetoed and not reason.strip():
        raise ValidationError({"reason": _("一票否决须写明原因。")})
    before = snapshot(result, ["vetoed", "veto_reason"])
    if vetoed:
        ItemScore.objects.update_or_create(
            result=result,
            indicator=indicator,
            defaults={"points": ZERO, "figure": Decimal(1), "evidence": reason.strip()[:300],
                      "org_path": result.org_path, "category": indicator.category},
        )  # fmt: skip
    else:
        ItemScore.objects.filter(result=result, indicator=indicator).delete()
    recalculate_results(result.plan)
    result.refresh_from_db()
    audit_record(
        actor=acting_user,
        event="assessmentresult.veto",
        obj=result,
        before=before,
        after=snapshot(result, ["vetoed", "veto_reason"]),
        note=reason.strip()[:255],
    )
    return result
