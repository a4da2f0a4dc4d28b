"""Named per-organization, per-period figures: the one door through which dashboards and assessment read
every app's data, so they never reach into another app's tables.

The app that owns the data registers a metric in its ``AppConfig.ready()``:

    from apps.core.metrics import Metric, register_metric

    def ledger_compliance(*, root_path: str, start: date, end: date) -> dict[str, tuple[Number, Number]]:
        # set-based: one GROUP BY organization__path over the rows whose path starts with root_path
        return {org_path: (submitted_on_time, required), ...}

    register_metric(Metric(
        name="responsibility.ledger_compliance_rate", label="月度台账按时提交率", unit="%", kind="rate",
        source=ledger_compliance, higher_is_better=True,
        link=lambda org, start, end: reverse("responsibility:ledger_list") + f"?org={org.code}",
    ))

A source returns each organization's *own* figure (not its subtree's) as ``(numerator, denominator)``,
keyed by the organization's materialized path (so the roll-up needs no second query);
for counts and amounts the denominator is ignored (pass 1). Organizations with nothing to report may be
left out. ``metric_values`` rolls own figures up every organization's subtree along the materialized path,
so a source stays one GROUP BY whatever the depth of the tree. For a rate, the subtree's figure is
sum(numerators) / sum(denominators) — never an average of averages.

``start``/``end`` are inclusive dates. A snapshot metric (members in good standing) reads "as of end".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Number = int | Decimal
OwnFigures = Mapping[str, tuple[Number, Number]]  # organization path -> (numerator, denominator)
Source = Callable[..., OwnFigures]

KINDS = ("count", "amount", "rate")


@dataclass(frozen=True)
class Metric:
    """A named figure one app owns. ``name`` is "<app>.<figure>"; ``label`` and ``unit`` are shown to users."""

    name: str
    label: str
    unit: str  # "%", "件", "元", "人", "个", "次"
    kind: Literal["count", "amount", "rate"]
    source: Source
    higher_is_better: bool = True
    description: str = ""
    #: the list behind the figure, for evidence and drill-down: link(organization, start, end) -> url
    link: Callable[[Any, datetime.date, datetime.date], str] | None = None


@dataclass(frozen=True)
class MetricValue:
    """A subtree's figure: ``value`` is the count/amount, or the rate as a fraction (0..1), None with no base."""

    numerator: Number
    denominator: Number
    value: Decimal | int | None

    @property
    def percent(self) -> Decimal | None:
        if self.value is None:
            return None
        return (Decimal(self.value) * 100).quantize(Decimal("0.1"))


_METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> None:
    if metric.kind not in KINDS:
        raise ValueError(f"unknown metric kind {metric.kind!r}")
    _METRICS[metric.name] = metric


def metrics() -> dict[str, Metric]:
    return dict(_METRICS)


def get_metric(name: str) -> Metric:
    try:
        return _METRICS[name]
    except KeyError as exc:
        raise KeyError(f"no metric named {name!r}; registered: {sorted(_METRICS)}") from exc


def metric_choices() -> list[tuple[str, str]]:
    """(name, label) for forms that pick a metric, e.g. an assessment indicator fed by the system."""
    return sorted(((m.name, m.label) for m in _METRICS.values()), key=lambda c: c[1])


def _value(kind: str, numerator: Number, denominator: Number) -> Decimal | int | None:
    if kind != "rate":
        return numerator
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def common_root(paths: Iterable[str]) -> str:
    """The deepest path that every given path lies under ("/" for none in common)."""
    parts: list[str] | None = None
    for path in paths:
        segs = path.strip("/").split("/")
        if parts is None:
            parts = segs
        else:
            n = 0
            while n < min(len(parts), len(segs)) and parts[n] == segs[n]:
                n += 1
            parts = parts[:n]
    if not parts or parts == [""]:
        return "/"
    return "/" + "/".join(parts) + "/"


def rollup(own: OwnFigures, *, targets: Iterable[int]) -> dict[int, tuple[Number, Number]]:
    """Sum own figures up the tree: each target organization id gets the sum over its subtree.

    Cost is O(figures × depth), a dictionary walk, not a query per organization.
    """
    wanted = set(targets)
    totals: dict[int, list[Number]] = {t: [0, 0] for t in wanted}
    for path, (num, den) in own.items():
        for ancestor in _path_ids(path):
            acc = totals.get(ancestor)
            if acc is not None:
                acc[0] += num
                acc[1] += den
    return {t: (acc[0], acc[1]) for t, acc in totals.items()}


def metric_values(
    name: str,
    *,
    organizations: Iterable[Any],
    start: datetime.date,
    end: datetime.date,
    subtree: bool = True,
) -> dict[int, MetricValue]:
    """Figures of one metric for the given organizations (objects with ``id`` and ``path``).

    With ``subtree`` (the default) each organization's figure covers everything below it; without, only
    its own rows. The caller has already scoped ``organizations`` to the user (``visible_to``).
    """
    metric = get_metric(name)
    orgs = list(organizations)
    if not orgs:
        return {}
    root = common_root(o.path for o in orgs)
    own = metric.source(root_path=root, start=start, end=end)
    figures = rollup(own, targets=[o.id for o in orgs]) if subtree else {o.id: own.get(o.path, (0, 0)) for o in orgs}
    return {
        org_id: MetricValue(numerator=num, denominator=den, value=_value(metric.kind, num, den))
        for org_id, (num, den) in figures.items()
    }


def own_figures(name: str, *, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
    """Each organization's *own* figure under ``root_path`` (no roll-up): for set-based consumers that roll
    the figures up in SQL themselves (assessment's compute over a whole province). Same source, same rows
    as ``metric_values``; the caller scopes the organizations it writes for."""
    return get_metric(name).source(root_path=root_path, start=start, end=end)
