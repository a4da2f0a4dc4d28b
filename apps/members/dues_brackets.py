"""党费交纳标准 kept by root administrators on a page: the 2008 national table (built in, with its source and
article) and the tables a province issues for a year (``DuesBracket`` rows), validated and audited; then a
set-based recompute of the members' stored monthly amounts for a year, previewed first.

A province table for ``year`` and a category replaces the rows of that category from that year on (the
rows of the latest table year ≤ the asked year apply: ``dues.dues_table``). It may be changed or removed
only while no dues payment was recorded for a month it governs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.scoping import ensure_root_admin

from .dues import Bracket, dues_monthly_amount, dues_quantum, dues_table
from .dues_models import DuesBase, DuesBracket, DuesCategory, DuesPayment, DuesStatsRun

if TYPE_CHECKING:
    from apps.accounts.models import User

BUILTIN_YEAR = 2008
SOURCE_2008 = "《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号)"
#: The article of the 2008 rules each category's brackets come from.
ARTICLE_2008 = {
    DuesCategory.EMPLOYED: "第二条",
    DuesCategory.RETIREE: "第五条",
    DuesCategory.FARMER: "第六条（农民党员每月0.2元至1元，由省级党委组织部门确定具体标准）",
    DuesCategory.STUDENT: "第六条",
    DuesCategory.UNEMPLOYED: "第六条",
    DuesCategory.LOW_INCOME: "第六条",
}
MAX_ROWS = 6
MAX_RATE = Decimal("10")  # percent; the national table's highest is 2
MAX_FIXED = Decimal("100")  # yuan a month for a fixed-amount category
TWO = Decimal("0.01")


def builtin_source(category: str) -> str:
    return f"{SOURCE_2008}{ARTICLE_2008.get(category, '')}"


def bracket_text(b: Bracket, lower: Decimal | None) -> tuple[str, str]:
    """(range, rate or amount) as people read them: 「3000元以上至5000元（含）」, 「1%」 / 「每月0.20元」."""
    if b.upper_bound is None:
        rng = _("全部") if lower is None else _("%(lo)s元以上") % {"lo": _money(lower)}
    elif lower is None:
        rng = _("%(hi)s元以下（含）") % {"hi": _money(b.upper_bound)}
    else:
        rng = _("%(lo)s元以上至%(hi)s元（含）") % {"lo": _money(lower), "hi": _money(b.upper_bound)}
    if b.fixed_amount is not None:
        value = _("每月%(a)s元") % {"a": f"{b.fixed_amount:.2f}"}
    else:
        value = f"{b.rate_percent.normalize():f}%"
    return rng, value


def _money(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


@dataclass
class CategoryTable:
    category: str
    label: str
    year: int  # the table year in force (2008 for the built-in table)
    builtin: bool
    source: str
    rows: list[tuple[str, str]]


def tables_in_force(year: int) -> list[CategoryTable]:
    """Per category, the brackets in force for ``year``, the table year they come from and their source."""
    table = dues_table(year)
    chosen: dict[str, tuple[int, str]] = {}
    for row_year, category, note in (
        DuesBracket.objects.filter(year__lte=year).order_by("-year", "id").values_list("year", "category", "note")
    ):
        chosen.setdefault(category, (row_year, note))
    out = []
    for category, label in DuesCategory.choices:
        row_year, note = chosen.get(category, (BUILTIN_YEAR, ""))
        builtin = row_year <= BUILTIN_YEAR
        rows, lower = [], None
        for b in table[category]:
            rows.append(bracket_text(b, lower))
            lower = b.upper_bound
        out.append(
            CategoryTable(
                category=category,
                label=str(label),
                year=row_year,
                builtin=builtin,
                source=builtin_source(category) if builtin else note,
                rows=rows,
            )
        )
    return out


def province_tables() -> list[dict[str, Any]]:
    """Every (year, category) table issued after the built-in one, newest first, with whether it is in use."""
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    for year, category, note in (
        DuesBracket.objects.filter(year__gt=BUILTIN_YEAR)
        .order_by("-year", "category", "id")
        .values_list("year", "category", "note")
    ):
        seen.setdefault(
            (year, category),
            {"year": year, "category": category, "label": DuesCategory(category).label, "source": note},
        )
    for item in seen.values():
        item["in_use"] = table_in_use(item["year"], item["category"])
    return list(seen.values())


def _governed_until(year: int, category: str) -> int | None:
    """The first later table year of the category (the table governs the years before it)."""
    return (
        DuesBracket.objects.filter(category=category, year__gt=year).order_by("year").values_list("year", flat=True)
    ).first()


def table_in_use(year: int, category: str) -> bool:
    """A dues payment was recorded for a month the table governs (then it may no longer change)."""
    until = _governed_until(year, category)
    payments = DuesPayment.objects.filter(month__gte=datetime.date(year, 1, 1))
    if until is not None:
        payments = payments.filter(month__lt=datetime.date(until, 1, 1))
    return payments.exists()


def _check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("执行年度：请填写年份，例如 2027。")}) from None
    if value <= BUILTIN_YEAR:
        raise ValidationError(
            {"year": _("执行年度：2008年标准为全国统一规定，不能在此修改；请为本省新增一个年度的标准。")}
        )
    if value > timezone.localdate().year + 1:
        raise ValidationError({"year": _("执行年度：最多只能提前一年录入标准。")})
    return value


def _refuse_if_in_use(year: int, category: str) -> None:
    if table_in_use(year, category):
        raise ValidationError(
            {
                "year": _(
                    "执行年度：%(y)s年起的这一标准已有党费交纳记录，不能再修改或删除；如需调整，请新增以后年度的标准。"
                )
                % {"y": year}
            }
        )


def validate_brackets(category: str, rows: list[dict[str, Any]], note: str) -> list[Bracket]:
    """Rows ``{"upper_bound", "rate_percent", "fixed_amount"}`` (Decimal or None; empty rows dropped), in
    order of the base. Errors keyed ``upper_bound_<n>`` / ``rate_percent_<n>`` / ``fixed_amount_<n>`` (n from 1)
    and named 「第n档……」."""
    errors: dict[str, str] = {}
    if category not in DuesCategory.values:
        raise ValidationError({"category": _("党员类别：请选择党员类别。")})
    if not (note or "").strip():
        errors["note"] = _("依据：请填写文件名称和条款，例如《××省党费收缴管理办法》第三条。")
    elif len(note) > 200:
        errors["note"] = _("依据：不能超过200字。")
    filled = [
        (n, r)
        for n, r in enumerate(rows, start=1)
        if any(r.get(k) is not None for k in ("upper_bound", "rate_percent", "fixed_amount"))
    ]
    if not filled:
        errors["upper_bound_1"] = _("第1档：至少填写一档。")
        raise ValidationError(errors)
    brackets: list[Bracket] = []
    previous_upper: Decimal | None = None
    previous_rate: Decimal | None = None
    for index, (n, r) in enumerate(filled):
        upper, rate, fixed = r.get("upper_bound"), r.get("rate_percent"), r.get("fixed_amount")
        last = index == len(filled) - 1
        label = _("第%(n)d档") % {"n": n}
        if rate is not None and fixed is not None:
            errors[f"fixed_amount_{n}"] = _("%(l)s：比例和固定金额只能填一项。") % {"l": label}
        elif rate is None and fixed is None:
            errors[f"rate_percent_{n}"] = _("%(l)s：请填写比例或每月固定金额。") % {"l": label}
        elif rate is not None and not (Decimal(0) < rate <= MAX_RATE):
            errors[f"rate_percent_{n}"] = _("%(l)s比例：应大于0且不超过%(m)s%%。") % {"l": label, "m": MAX_RATE}
        elif fixed is not None and not (Decimal(0) < fixed <= MAX_FIXED):
            errors[f"fixed_amount_{n}"] = _("%(l)s每月固定金额：应大于0且不超过%(m)s元。") % {
                "l": label,
                "m": MAX_FIXED,
            }
        elif rate is not None and previous_rate is not None and rate < previous_rate:
            errors[f"rate_percent_{n}"] = _("%(l)s比例：基数越高比例不应越低（上一档为%(p)s%%）。") % {
                "l": label,
                "p": previous_rate.normalize(),
            }
        if last:
            if upper is not None:
                errors[f"upper_bound_{n}"] = _("%(l)s基数上限：最后一档应不设上限（留空），以覆盖全部基数。") % {
                    "l": label
                }
        elif upper is None:
            errors[f"upper_bound_{n}"] = _("%(l)s基数上限：只有最后一档可以不设上限。") % {"l": label}
        elif upper <= 0:
            errors[f"upper_bound_{n}"] = _("%(l)s基数上限：应大于0。") % {"l": label}
        elif previous_upper is not None and upper <= previous_upper:
            errors[f"upper_bound_{n}"] = _("%(l)s基数上限：应高于上一档的%(p)s元，各档不能重叠。") % {
                "l": label,
                "p": _money(previous_upper),
            }
        previous_upper = upper if upper is not None else previous_upper
        previous_rate = rate if rate is not None else previous_rate
        brackets.append(Bracket(upper, rate, fixed))
    if errors:
        raise ValidationError(errors)
    return brackets


def _describe(brackets: list[Bracket]) -> str:
    parts, lower = [], None
    for b in brackets:
        rng, value = bracket_text(b, lower)
        parts.append(f"{rng} {value}")
        lower = b.upper_bound
    return "；".join(parts)


def _audit_view(year: int, category: str, brackets: list[Bracket], note: str) -> dict[str, Any]:
    return {"执行年度": year, "党员类别": str(DuesCategory(category).label), "标准": _describe(brackets), "依据": note}


def _current(year: int, category: str) -> list[DuesBracket]:
    return list(DuesBracket.objects.select_for_update().filter(year=year, category=category).order_by("id"))


@transaction.atomic
def bracket_table_save(
    *, acting_user: User, year: Any, category: str, rows: list[dict[str, Any]], note: str
) -> list[DuesBracket]:
    """Create or replace a province's brackets of one category for a year (validated, audited)."""
    ensure_root_admin(acting_user)
    year = _check_year(year)
    brackets = validate_brackets(category, rows, note)
    existing = _current(year, category)
    _refuse_if_in_use(year, category)
    before = _audit_view(year, category, _as_brackets(existing), existing[0].note) if existing else None
    DuesBracket.objects.filter(pk__in=[r.pk for r in existing]).delete()
    saved = DuesBracket.objects.bulk_create(
        DuesBracket(
            year=year,
            category=category,
            upper_bound=b.upper_bound,
            rate_percent=b.rate_percent,
            fixed_amount=b.fixed_amount,
            note=note.strip(),
        )
        for b in brackets
    )
    first = DuesBracket.objects.filter(year=year, category=category).order_by("id").first()
    audit_record(
        actor=acting_user,
        event="duesbracket.update" if existing else "duesbracket.create",
        obj=first,
        before=before,
        after=_audit_view(year, category, brackets, note.strip()),
        org_path="/",
    )
    return saved


def _as_brackets(rows: list[DuesBracket]) -> list[Bracket]:
    out = [Bracket(r.upper_bound, r.rate_percent, r.fixed_amount) for r in rows]
    return sorted(out, key=lambda b: (b.upper_bound is None, b.upper_bound or 0))


@transaction.atomic
def bracket_table_delete(*, acting_user: User, year: Any, category: str) -> int:
    """Remove a province's table of one category for a year (the earlier table applies again)."""
    ensure_root_admin(acting_user)
    year = _check_year(year)
    existing = _current(year, category)
    if not existing:
        raise ValidationError({"year": _("执行年度：%(y)s年没有该类别的标准。") % {"y": year}})
    _refuse_if_in_use(year, category)
    audit_record(
        actor=acting_user,
        event="duesbracket.delete",
        obj=existing[0],
        before=_audit_view(year, category, _as_brackets(existing), existing[0].note),
        org_path="/",
    )
    DuesBracket.objects.filter(pk__in=[r.pk for r in existing]).delete()
    return len(existing)


def bracket_rows_of(year: int, category: str) -> list[dict[str, Any]]:
    """A stored table as form rows (initial data of the edit page)."""
    return [
        {"upper_bound": b.upper_bound, "rate_percent": b.rate_percent, "fixed_amount": b.fixed_amount}
        for b in _as_brackets(list(DuesBracket.objects.filter(year=year, category=category)))
    ]


# --- recompute the stored monthly amounts of a year ---------------------------------------------------------


@dataclass
class RecomputePlan:
    year: int
    total: int
    changes: list[tuple[int, Decimal]]  # (DuesBase id, new monthly amount)
    sample: list[dict[str, Any]]


def _plan(year: int, *, sample_size: int = 20) -> RecomputePlan:
    table, quantum = dues_table(year), dues_quantum()
    changes: list[tuple[int, Decimal]] = []
    sample_ids: list[tuple[int, Decimal, Decimal]] = []
    total = 0
    rows = DuesBase.objects.filter(year=year).order_by("id").values_list("id", "category", "base", "monthly_amount")
    for pk, category, base, old in rows.iterator(chunk_size=2000):
        total += 1
        try:
            new = dues_monthly_amount(category=category, base=base, table=table, quantum=quantum)
        except ValidationError:
            continue
        if new != old:
            changes.append((pk, new))
            if len(sample_ids) < sample_size:
                sample_ids.append((pk, old, new))
    sample = []
    if sample_ids:
        details = {
            r["id"]: r
            for r in DuesBase.objects.filter(pk__in=[p for p, _o, _n in sample_ids]).values(
                "id", "member__name", "organization__name", "category", "base"
            )
        }
        for pk, old, new in sample_ids:
            d = details[pk]
            sample.append(
                {
                    "member": d["member__name"],
                    "organization": d["organization__name"],
                    "category": DuesCategory(d["category"]).label,
                    "base": d["base"],
                    "old": old,
                    "new": new,
                }
            )
    return RecomputePlan(year=year, total=total, changes=changes, sample=sample)


def dues_recompute_preview(*, acting_user: User, year: int) -> RecomputePlan:
    """How many members' stored amounts for ``year`` differ from the table now in force (nothing written)."""
    ensure_root_admin(acting_user)
    return _plan(int(year))


@transaction.atomic
def dues_recompute(*, acting_user: User, year: int) -> int:
    """Set every stored monthly amount of ``year`` to what the table in force gives (bulk update in one
    transaction, one audit row); the month figures of that year are refreshed after commit."""
    from apps.organizations.models import Organization

    ensure_root_admin(acting_user)
    year = int(year)
    # Lock the year's rows against a concurrent base edit while they are recomputed.
    list(DuesBase.objects.select_for_update().filter(year=year).values_list("id", flat=True))
    plan = _plan(year, sample_size=0)
    _write_amounts(plan.changes)
    root = Organization.objects.filter(parent__isnull=True).order_by("id").first()
    if root is not None:
        audit_record(
            actor=acting_user,
            event="dues_base.recompute",
            obj=root,
            org_path="/",
            note=_("按%(y)s年党费交纳标准重算：%(n)d人的每月应交金额改变（共%(t)d人）")
            % {"y": year, "n": len(plan.changes), "t": plan.total},
        )
    if plan.changes:
        transaction.on_commit(lambda: _refresh_stats(year))
    return len(plan.changes)


def _write_amounts(changes: list[tuple[int, Decimal]], *, chunk: int = 20000) -> None:
    """On PostgreSQL one ``UPDATE … FROM unnest(ids, amounts)`` per chunk; elsewhere Django's bulk update."""
    from django.db import connection

    if connection.vendor != "postgresql":
        DuesBase.objects.bulk_update(
            [DuesBase(pk=pk, monthly_amount=amount) for pk, amount in changes], ["monthly_amount"], batch_size=1000
        )
        return
    opts = DuesBase._meta
    table, pk, amount = (
        connection.ops.quote_name(opts.db_table),
        connection.ops.quote_name(opts.pk.column),
        connection.ops.quote_name(opts.get_field("monthly_amount").column),
    )
    sql = (
        f"UPDATE {table} AS b SET {amount} = v.amount "  # identifiers from the model, values bound
        f"FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, amount) WHERE b.{pk} = v.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(changes), chunk):
            part = changes[start : start + chunk]
            cursor.execute(sql, [[p for p, _a in part], [a for _p, a in part]])


def _refresh_stats(year: int) -> None:
    from apps.core.periods import Period

    from .dues_stats import dues_stats_refresh

    runs = DuesStatsRun.objects.filter(month__year=year).values_list("root_path", "month").order_by("month")
    for root_path, month in runs:
        dues_stats_refresh(period=Period.of(month), root_path=root_path)
