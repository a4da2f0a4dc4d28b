"""Scoring rules as data, turned into points. Pure functions: no database.

Rules read the figure people think in: a rate as a percentage (0–100), a count or amount as it is.

- linear ``{"kind": "linear", "low": 60, "high": 100}``: 0 points at ``low``, full at ``high``, straight line
  between (``low`` > ``high`` when lower is better);
- thresholds ``{"kind": "thresholds", "steps": [[95, 1], [80, 0.6]], "lower_is_better": false}``: the first
  step reached gives that share of the points;
- per occurrence ``{"kind": "per_occurrence", "each": 2}``: each occurrence takes ``each`` points off a
  standard item, or adds/deducts them on a bonus/deduction item, never beyond the item's points.
A rate with no base (nothing was due) gets the rule's ``"empty"`` share (default: full points).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean
from typing import Any

from .choices import DEFAULT_RATING_WEIGHTS, IndicatorCategory, RuleKind

CENT = Decimal("0.01")
ZERO = Decimal("0")


def q(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def figure_for(kind: str, value: Decimal | int | None) -> Decimal | None:
    """The figure a rule reads: percent for rates, the value itself for counts and amounts."""
    if value is None:
        return None
    if kind == "rate":
        return (Decimal(value) * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Decimal(value)


def fmt_figure(value: Decimal | None) -> str:
    """A figure as evidence shows it: one decimal at most, no trailing zeros (``85.5``, ``3``)."""
    if value is None:
        return ""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP).normalize():f}"


def compile_rule(*, rule: dict, points: Decimal, category: str) -> Callable[[Decimal | None], Decimal]:
    """The rule as a function of the figure, with its numbers parsed once (it runs once per organization)."""
    kind = rule.get("kind")
    points = Decimal(points)
    one = Decimal(1)
    empty = q(points * _d(rule.get("empty", 1))) if category == IndicatorCategory.STANDARD else ZERO
    if kind == RuleKind.LINEAR:
        low, high = _d(rule["low"]), _d(rule["high"])
        span = high - low

        def linear(figure: Decimal | None) -> Decimal:
            if figure is None:
                return empty
            share = min(max((figure - low) / span, ZERO), one)
            return (points * share).quantize(CENT, rounding=ROUND_HALF_UP)

        return linear
    if kind == RuleKind.THRESHOLDS:
        lower_better = bool(rule.get("lower_is_better"))
        steps = sorted(((_d(v), q(points * _d(s))) for v, s in rule["steps"]), reverse=not lower_better)

        def thresholds(figure: Decimal | None) -> Decimal:
            if figure is None:
                return empty
            for bound, pts in steps:
                if (figure <= bound) if lower_better else (figure >= bound):
                    return pts
            return ZERO

        return thresholds
    if kind == RuleKind.PER_OCCURRENCE:
        each = _d(rule["each"])
        standard = category == IndicatorCategory.STANDARD

        def per_occurrence(figure: Decimal | None) -> Decimal:
            if figure is None:
                return empty
            amount = each * figure
            value = max(points - amount, ZERO) if standard else min(max(amount, ZERO), points)
            return value.quantize(CENT, rounding=ROUND_HALF_UP)

        return per_occurrence
    raise ValueError(f"unknown rule kind {kind!r}")


def rule_points(*, rule: dict, points: Decimal, figure: Decimal | None, category: str) -> Decimal:
    """Points for ``figure`` under ``rule`` on an item worth ``points`` (for bonus/deduction: its cap)."""
    return compile_rule(rule=rule, points=points, category=category)(figure)


def combine_raters(values: list[Decimal], how: str) -> Decimal | None:
    """Mean, or the mean after dropping one highest and one lowest (when there are at least three)."""
    if not values:
        return None
    vals = sorted(values)
    if how == "trimmed" and len(vals) >= 3:
        vals = vals[1:-1]
    return q(mean(vals))


def vote_share(counts: dict[str, int], weights: dict[str, Any] | None = None) -> Decimal | None:
    """Weighted share of 好/较好/一般/差 votes (0..1); None with no votes."""
    weights = {**DEFAULT_RATING_WEIGHTS, **(weights or {})}
    total = sum(counts.values())
    if not total:
        return None
    return sum((_d(weights[k]) * n for k, n in counts.items()), ZERO) / total
