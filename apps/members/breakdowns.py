"""The member breakdowns of the dashboards and the 党内统计 tables: each organization's own counts of members
in good standing per dimension value as of a date, in one pass over the member rows (split from
stats_metrics.py, which defines the dimensions and the registered figures)."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from apps.organizations.choices import Sector
from apps.organizations.models import Organization

from .choices import Category, OccupationCategory
from .models import Member
from .stats_metrics import (
    AGE_BANDS,
    EDUCATION_GROUPS,
    JOIN_PERIODS,
    STANDING_BANDS,
    UNKNOWN,
    dimension_expressions,
    good_standing,
)


def dimension_labels() -> dict[str, list[tuple[str, str]]]:
    """Dimension -> [(key, label)] in report order (unknown last where it can occur): what the dashboards and
    the 党内统计 tables show, and the keys the breakdowns count."""
    unknown = (UNKNOWN, _("未填写"))
    return {
        "category": [("full", str(Category.FULL.label)), ("probationary", str(Category.PROBATIONARY.label))],
        "gender": [("1", _("男")), ("2", _("女")), unknown],
        "age": [(k, label) for k, label, _lo, _hi in AGE_BANDS] + [unknown],
        "education": [(k, label) for k, label in EDUCATION_GROUPS],
        "ethnicity": [("han", _("汉族")), ("minority", _("少数民族")), ("other", _("其他/未填写"))],
        "occupation": [(k, str(label)) for k, label in OccupationCategory.choices if k] + [("", _("未填写"))],
        "sector": [(k, str(label)) for k, label in Sector.choices] + [("", _("未填写"))],
        "join_period": [(k, label) for k, label, _f, _l in JOIN_PERIODS] + [unknown],
        "standing": [(k, label) for k, label, _lo, _hi in STANDING_BANDS]
        + [("probationary", _("预备党员（未计党龄）")), unknown],
    }


#: work_mem for the one-pass breakdown query (the nightly refresh; a handful of runs a day)
GROUPING_WORK_MEM = "256MB"


def _grouping_sets(base: Any, exprs: dict[str, Any]) -> dict[str, dict[str, int]]:
    """PostgreSQL: every dimension in ONE scan of the member rows (GROUP BY GROUPING SETS), folded into one
    JSON object per organization in SQL: a row per organization reaches Python, not one per organization
    and dimension value (~37 times fewer rows; at province size this was most of the refresh's Python time).
    """
    names = [f"d_{dim}" for dim in exprs]
    inner = base.annotate(**dict(zip(names, exprs.values(), strict=True))).values("org_path", *names).order_by()
    sql, params = inner.query.sql_with_params()
    sets = ", ".join(f"(org_path, {n})" for n in names)
    # a row's grouping set is its only non-NULL key (the expressions are never NULL), and text || NULL is NULL
    key = "COALESCE(" + ", ".join(f"'{dim}:' || {n}" for dim, n in zip(exprs, names, strict=True)) + ")"
    query = (
        f"SELECT org_path, json_object_agg(k, n) FROM ("
        f"SELECT org_path, {key} AS k, COUNT(*) AS n FROM ({sql}) AS m GROUP BY GROUPING SETS ({sets})"
        f") AS g GROUP BY org_path"
    )
    with transaction.atomic(), connection.cursor() as cur:
        # the nine hash tables of one pass (~37 groups per organization) stay in memory instead of spilling
        # to disk, which doubled the pass at 4 MB (EXPLAIN at 10k organizations: 10.5 s -> 5.7 s); LOCAL: this
        # transaction only
        cur.execute(f"SET LOCAL work_mem = '{GROUPING_WORK_MEM}'")
        cur.execute(query, params)
        return {path: counts if isinstance(counts, dict) else json.loads(counts) for path, counts in cur}


def dimension_keys() -> dict[str, list[str]]:
    """The keys each dimension expression can give (the labelled keys without the sector, which is the
    organization's, and with 本年发展). Closed for the CASE dimensions; for the three that pass a column's value
    through (category, education's first character, occupation) the values the choices know — a member with
    any other value is caught by ``_filtered_counts``' residual check and sends the pass back to the
    open-ended GROUPING SETS form."""
    keys = {dim: [k for k, _label in items] for dim, items in dimension_labels().items() if dim != "sector"}
    return {**keys, "joined_this_year": ["yes", "no"]}


#: dimensions whose expression passes a column's value through (the choices may not know every stored value)
_OPEN_DIMENSIONS = ("category", "education", "occupation")


def _filtered_counts(base: Any, exprs: dict[str, Any]) -> dict[str, dict[str, int]] | None:
    """PostgreSQL: every dimension in ONE scan with one hash table of organizations — a conditional count
    (``COUNT(*) FILTER``) per known dimension key, a column each, zeros dropped in Python, so each
    organization gets exactly the keys GROUPING SETS would give. None when some member carries a value
    outside the known keys (the caller then uses the GROUPING SETS form, which names it).

    Measured at 3M members / 100k organizations (bench/dashboards.py, JIT off): 7.3–8.1 s wall,
    6.2–6.3 s of backend CPU, against 20.4 s wall / 17.6 s for GROUPING SETS with the JSON folded in SQL. The
    subquery is kept apart (``OFFSET 0``) so each CASE is evaluated once per member, not once per key."""
    keys = dimension_keys()
    names = {dim: f"d_{dim}" for dim in exprs}
    inner = base.annotate(**{names[d]: e for d, e in exprs.items()}).values("org_path", *names.values()).order_by()
    sql, params = inner.query.sql_with_params()
    columns, labels, residual = [], [], []
    for dim, col in names.items():
        for k in keys[dim]:
            columns.append(f"COUNT(*) FILTER (WHERE {col} = %s)")
            labels.append(f"{dim}:{k}")
        if dim in _OPEN_DIMENSIONS:
            residual.append(f"COUNT(*) FILTER (WHERE {col} NOT IN ({', '.join(['%s'] * len(keys[dim]))}))")
    query = (
        f"SELECT org_path, {' + '.join(residual)}, {', '.join(columns)} FROM ({sql} OFFSET 0) AS m GROUP BY org_path"
    )
    # placeholders in query order: the residual lists, each key's count, then the member subquery's
    args = [k for dim in names if dim in _OPEN_DIMENSIONS for k in keys[dim]]
    args += [k for dim in names for k in keys[dim]]
    out: dict[str, dict[str, int]] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL work_mem = '{GROUPING_WORK_MEM}'")  # the organizations' hash table in memory
        cur.execute(query, [*args, *params])
        for path, others, *counts in cur:
            if others:
                return None
            out[path] = {label: n for label, n in zip(labels, counts, strict=True) if n}
    return out


def _one_per_dimension(base: Any, exprs: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for dim, expr in exprs.items():
        for r in base.annotate(k=expr).values("org_path", "k").annotate(n=Count("id")).order_by():
            counts = out[r["org_path"]]
            key = f"{dim}:{r['k'] or ''}"
            counts[key] = counts.get(key, 0) + r["n"]
    return out


def member_breakdowns(*, root_path: str, as_of: datetime.date) -> dict[str, dict[str, int]]:
    """Each organization's own counts of members in good standing: {org_path: {"dimension:key": n}}.

    Set-based: one scan with a conditional count per dimension key on PostgreSQL (GROUP BY GROUPING SETS
    when a stored value is outside the known keys; one GROUP BY per dimension elsewhere);
    "total" is the head count, "sector:<sector>" the organization's sector.
    """
    base = Member.objects.filter(good_standing(as_of), org_path__startswith=root_path)
    exprs = dimension_expressions(as_of)
    if connection.vendor == "postgresql":
        out = _filtered_counts(base, exprs)
        if out is None:
            out = _grouping_sets(base, exprs)
    else:
        out = _one_per_dimension(base, exprs)
    sectors = dict(Organization.objects.filter(path__startswith=root_path).values_list("path", "sector"))
    for path, counts in out.items():
        counts["total"] = sum(n for k, n in counts.items() if k.startswith("category:"))
        counts[f"sector:{sectors.get(path, '')}"] = counts["total"]
    return dict(out)
