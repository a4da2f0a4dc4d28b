"""System indicators (系统取数) for every assessed organization at once, set-based on PostgreSQL.

1. Each metric the plan uses is read once through the registry (``apps.core.metrics.own_figures``: one
   GROUP BY in the owning app, each organization's *own* figure). Python rolls the own figures up to the
   assessed results while it writes them (each figure adds to the results at its path's prefixes, memoised
   per path: one pass, no tree walk) and streams (result, metric, num, den) into a temporary table with one
   COPY per metric, outside any transaction, so the task's progress rows are visible while it runs.
2. One ``INSERT … SELECT`` in one transaction writes all system indicators' item scores: the figure (a rate
   as a percentage, 4 places), the rule compiled into a SQL ``CASE`` per indicator (linear, thresholds, per
   occurrence, the "nothing was due" share), vetoes with their evidence text. A recompute is an
   ``ON CONFLICT … DO UPDATE … WHERE changed``: replaces, never duplicates, and rewrites only changed rows.

On other databases (SQLite in tests) ``python_rows`` computes the same rows with ``rules.compile_rule``;
``tests/assessment`` checks both against the rule functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.core.metrics import get_metric, metric_values, own_figures

from .choices import IndicatorCategory, RuleKind
from .models import AssessmentPlan, AssessmentResult, Indicator, ItemScore
from .rules import ZERO, compile_rule, figure_for, fmt_figure, q

Row = tuple[int, str, Decimal, Decimal | None, str]  # result id, org path, points, figure, evidence


def period_text(plan: AssessmentPlan) -> str:
    return _("%(y)d年1月1日至12月31日") % {"y": plan.year}


def metric_unit(metric: Any) -> str:
    return "%" if metric.kind == "rate" else metric.unit


# ------------------------------------------------------------------ PostgreSQL: set-based


def _points_sql(ind: Indicator, params: list[Any]) -> str:
    """The indicator's rule as a SQL expression of ``f`` (the figure), appending its parameters."""
    points = Decimal(ind.points)
    rule = ind.rule or {}
    standard = ind.category == IndicatorCategory.STANDARD
    empty = q(points * Decimal(str(rule.get("empty", 1)))) if standard else ZERO

    def p(value: Any) -> str:
        params.append(value)
        return "%s::numeric"

    head = f"CASE WHEN f IS NULL THEN {p(empty)} ELSE "  # placeholders in text order
    rk = rule.get("kind")
    if rk == RuleKind.LINEAR:
        low, high = Decimal(str(rule["low"])), Decimal(str(rule["high"]))
        expr = f"ROUND({p(points)} * LEAST(GREATEST((f - {p(low)}) / {p(high - low)}, 0), 1), 2)"
    elif rk == RuleKind.THRESHOLDS:
        lower_better = bool(rule.get("lower_is_better"))
        steps = sorted(((Decimal(str(v)), q(points * Decimal(str(s)))) for v, s in rule["steps"]),
                       reverse=not lower_better)  # fmt: skip
        op = "<=" if lower_better else ">="
        whens = " ".join(f"WHEN f {op} {p(bound)} THEN {p(pts)}" for bound, pts in steps)
        expr = f"CASE {whens} ELSE 0 END"
    elif rk == RuleKind.PER_OCCURRENCE:
        each = Decimal(str(rule["each"]))
        if standard:
            expr = f"ROUND(GREATEST({p(points)} - {p(each)} * f, 0), 2)"
        else:
            expr = f"ROUND(LEAST(GREATEST({p(each)} * f, 0), {p(points)}), 2)"
    else:
        raise ValueError(f"unknown rule kind {rk!r}")
    return f"{head}{expr} END"


def _owners(results: list[tuple[int, int, str]]) -> Callable[[str], tuple[int, ...]]:
    """path -> the assessed results whose subtree holds it (itself or an ancestor), memoised per path."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for pk, _org, path in results:
        by_path[path].append(pk)
    cache: dict[str, tuple[int, ...]] = {}

    def owners(path: str) -> tuple[int, ...]:
        hit = cache.get(path)
        if hit is None:
            hit = ()
            cut = 0
            while (cut := path.find("/", cut + 1)) > 0:
                pks = by_path.get(path[: cut + 1])
                if pks:
                    hit += tuple(pks)
            cache[path] = hit
        return hit

    return owners


def _copy_rolled_up(cur: Any, m: int, own: Any, owners: Callable[[str], tuple[int, ...]]) -> int:
    """Roll one metric's own figures up to the assessed results and COPY (result, m, num, den) lines."""
    acc: dict[int, list[Any]] = {}
    for path, (num, den) in own.items():
        for pk in owners(path):
            cell = acc.get(pk)
            if cell is None:
                acc[pk] = [num, den]
            else:
                cell[0] += num
                cell[1] += den
    with cur.cursor.copy("COPY _a_fig (result_id, m, num, den) FROM STDIN") as copy:
        buf: list[str] = []
        for pk, (num, den) in acc.items():
            buf.append(f"{pk}\t{m}\t{num}\t{den}\n")
            if len(buf) >= 50000:
                copy.write("".join(buf))
                buf = []
        if buf:
            copy.write("".join(buf))
    return len(acc)


def write_system_scores_pg(
    plan: AssessmentPlan,
    indicators: list[Indicator],
    results: list[tuple[int, int, str]],
    progress: Callable[[int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> int:
    """Replace the item scores of ``indicators`` (all method=system) for all the plan's ``results`` (id,
    organization id, path). Returns the number of item scores (one per result and indicator). ``step(label)``
    is called at the end of each step (the bench times them).

    Reading the metrics runs outside any transaction of ours (each COPY commits, so the progress the task
    writes is visible to the page that polls it); the write is one transaction."""
    from .scoring import plan_period

    step = step or (lambda label: None)
    start, end = plan_period(plan)
    by_metric: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        by_metric[ind.metric_name].append(ind)
    names = list(by_metric)
    results_t = AssessmentResult._meta.db_table
    items_t = ItemScore._meta.db_table
    root = plan.organization.path
    owners = _owners(results)
    with connection.cursor() as cur:
        # a session temporary table (the connection may be reused: dropped in ``finally``)
        cur.execute("DROP TABLE IF EXISTS _a_fig")
        cur.execute(
            "CREATE TEMP TABLE _a_fig (result_id bigint NOT NULL, m int NOT NULL, num numeric NOT NULL, "
            "den numeric NOT NULL)"
        )
        try:
            _write(cur, plan, indicators, by_metric, names, start, end, root, owners, results_t, items_t,
                   progress, step)  # fmt: skip
        finally:
            cur.execute("DROP TABLE IF EXISTS _a_fig")
    # every (result, indicator) pair has its row now, written or (on a recompute) left as it was
    return len(results) * len(indicators)


def _write(cur, plan, indicators, by_metric, names, start, end, root, owners, results_t, items_t, progress, step):
    # 1. each metric read once through the registry, rolled up to the assessed results (each own figure adds
    # to the results at its path's prefixes), one COPY per metric
    done = 0
    for m, name in enumerate(names):
        own = own_figures(name, root_path=root, start=start, end=end)
        step(f"metric {name} (read)")
        _copy_rolled_up(cur, m, own, owners)
        del own
        step(f"metric {name} (roll-up and copy)")
        done += len(by_metric[name])
        if progress:
            progress(done)
    with transaction.atomic():
        # 2. rules in SQL, one INSERT … SELECT; the figures hash-joined, sorted by (result, indicator) for the
        # unique index, all in memory
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("ANALYZE _a_fig")
        cur.execute(f"ANALYZE {results_t}")
        ind_ids = [i.pk for i in indicators]
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {items_t} WHERE indicator_id = ANY(%s::int[]))", [ind_ids])
        recompute = cur.fetchone()[0]
        step("analyze")
        changed = _insert(cur, plan, indicators, by_metric, names, results_t, items_t, recompute)
        step("recompute: upsert changed system scores" if recompute else "insert system scores")
    return changed


def _insert(cur, plan, indicators, by_metric, names, results_t, items_t, recompute: bool) -> int:
    """The INSERT … SELECT of every system item score. On a recompute, ON CONFLICT updates only the rows whose
    points, figure or evidence changed (an unchanged plan rewrites nothing, so no dead rows or index churn);
    the first computation is a plain insert."""
    params: list[Any] = []
    values, point_whens, fig_whens, ev_whens = [], [], [], []
    period = period_text(plan)
    for m, name in enumerate(names):
        metric = get_metric(name)
        for ind in by_metric[name]:
            values.append(f"({ind.pk}, {m})")
            if metric.kind == "rate":
                fig = "CASE WHEN COALESCE(g.den, 0) = 0 THEN NULL ELSE ROUND(g.num * 100 / g.den, 4) END"
            else:
                fig = "COALESCE(g.num, 0)"
            fig_whens.append(f"WHEN {ind.pk} THEN {fig}")
    sel_params: list[Any] = []
    for name in names:
        metric = get_metric(name)
        unit = metric_unit(metric)
        for ind in by_metric[name]:
            if ind.category == IndicatorCategory.VETO:
                point_whens.append(f"WHEN {ind.pk} THEN 0")
                sel_params.extend([f"{metric.label}：", f"{unit}（{period}）"])
                text = "%s::text || TRIM_SCALE(ROUND(f, 1))::text || %s::text"
                ev_whens.append(f"WHEN {ind.pk} THEN CASE WHEN f > 0 THEN LEFT({text}, 300) ELSE '' END")
            else:
                point_whens.append(f"WHEN {ind.pk} THEN {_points_sql(ind, params)}")
    veto_ids = [i.pk for i in indicators if i.category == IndicatorCategory.VETO]
    cats = " ".join(f"WHEN {i.pk} THEN '{IndicatorCategory(i.category).value}'" for i in indicators)
    ev_sql = f"CASE x.ind {' '.join(ev_whens)} ELSE '' END" if ev_whens else "''"
    figure_sql = "CASE WHEN x.ind = ANY(%s::int[]) THEN CASE WHEN f > 0 THEN 1 ELSE 0 END ELSE f END"
    sql = f"""
        INSERT INTO {items_t} (result_id, indicator_id, org_path, category, points, figure, evidence,
                               adjusted_by_appeal)
        SELECT x.rid, x.ind, x.org_path, CASE x.ind {cats} END,
               CASE x.ind {" ".join(point_whens)} END, {figure_sql}, {ev_sql}, false
        FROM (
            SELECT r.id AS rid, i.ind, r.org_path, CASE i.ind {" ".join(fig_whens)} END AS f
            FROM {results_t} r
            CROSS JOIN (VALUES {", ".join(values)}) AS i(ind, m)
            LEFT JOIN _a_fig g ON g.result_id = r.id AND g.m = i.m
            WHERE r.plan_id = %s
            ORDER BY r.id, i.ind
        ) x"""
    if recompute:
        cols = ("org_path", "category", "points", "figure", "evidence", "adjusted_by_appeal")
        old, new = ", ".join(f"{items_t}.{c}" for c in cols), ", ".join(f"EXCLUDED.{c}" for c in cols)
        sql += f"""
        ON CONFLICT (result_id, indicator_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in cols)}
        WHERE ({old}) IS DISTINCT FROM ({new})"""
    # parameter order follows the text: point CASEs, figure's veto list, evidence, then the plan
    cur.execute(sql, [*params, veto_ids, *sel_params, plan.pk])
    return cur.rowcount


# ------------------------------------------------------------------ elsewhere (SQLite): the same in Python


def python_rows(plan: AssessmentPlan, ind: Indicator, results: list[tuple[int, int, str]]) -> list[Row]:
    """One indicator's rows through ``metric_values`` and the compiled rule (the reference semantics)."""
    from .scoring import plan_period

    metric = get_metric(ind.metric_name)
    start, end = plan_period(plan)
    orgs = [SimpleNamespace(id=org_id, path=path) for _pk, org_id, path in results]
    values = metric_values(ind.metric_name, organizations=orgs, start=start, end=end)
    unit = metric_unit(metric)
    score = compile_rule(rule=ind.rule, points=ind.points, category=ind.category) if ind.rule.get("kind") else None
    rows: list[Row] = []
    for pk, org_id, path in results:
        mv = values.get(org_id)
        figure = figure_for(metric.kind, mv.value) if mv else (None if metric.kind == "rate" else Decimal(0))
        if ind.category == IndicatorCategory.VETO:
            hit = figure is not None and figure > 0
            evidence = f"{metric.label}：{fmt_figure(figure)}{unit}（{period_text(plan)}）" if hit else ""
            rows.append((pk, path, ZERO, Decimal(1) if hit else ZERO, evidence[:300]))
            continue
        assert score is not None
        rows.append((pk, path, score(figure), figure, ""))
    return rows
