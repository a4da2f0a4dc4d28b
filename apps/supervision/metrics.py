"""Supervision figures for the metrics registry: letters by kind (by addressee, dated by issue date) and
accountability cases. One GROUP BY on the organization path per figure."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import Metric, OwnFigures, register_metric

from .choices import AccountabilityStatus, LetterKind
from .models import Accountability, Letter


def _grouped(qs: Any) -> OwnFigures:
    return {r["org_path"]: (r["n"], 1) for r in qs.values("org_path").annotate(n=Count("id")).order_by()}


def letters_of(kind: str) -> Callable[..., OwnFigures]:
    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        return _grouped(
            Letter.objects.filter(org_path__startswith=root_path, kind=kind, issued_on__gte=start, issued_on__lte=end)
        )

    return source


def accountability_opened(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return _grouped(
        Accountability.objects.filter(org_path__startswith=root_path, created_at__gte=lo, created_at__lt=hi)
    )


def accountability_open(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
    """A stock read "as of end": opened by the end of ``end`` and not decided by then (a case decided after
    ``end`` was still open on it; one opened after ``end`` was not yet open)."""
    tz = timezone.get_current_timezone()
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return _grouped(
        Accountability.objects.filter(org_path__startswith=root_path, created_at__lt=hi).filter(
            Q(status=AccountabilityStatus.OPEN) | Q(decided_on__gt=end)
        )
    )


def _letter_link(kind: str) -> Callable[[Any, datetime.date, datetime.date], str]:
    """The letters a figure counts: the subtree's, of this kind, issued in the period's last month (a trend
    bar is one month; a year-to-date figure opens on its latest month)."""

    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        return reverse("supervision:letter_list") + f"?within={org.code}&kind={kind}&issued={end:%Y-%m}"

    return link


def _accountability_opened_link(org: Any, start: datetime.date, end: datetime.date) -> str:
    return reverse("supervision:accountability_list") + f"?within={org.code}&opened={end:%Y-%m}"


def _accountability_open_link(org: Any, start: datetime.date, end: datetime.date) -> str:
    return reverse("supervision:accountability_list") + f"?within={org.code}&status={AccountabilityStatus.OPEN}"


def register() -> None:
    for kind, label in LetterKind.choices:
        register_metric(
            Metric(
                name=f"supervision.letters.{kind}",
                label=str(label),
                unit="份",
                kind="count",
                source=letters_of(kind),
                higher_is_better=False,
                link=_letter_link(kind),
            )
        )
    register_metric(
        Metric(
            name="supervision.accountability_opened",
            label=str(_("问责立案")),
            unit="件",
            kind="count",
            source=accountability_opened,
            higher_is_better=False,
            link=_accountability_opened_link,
        )
    )
    register_metric(
        Metric(
            name="supervision.accountability_open",
            label=str(_("问责待处理")),
            unit="件",
            kind="count",
            source=accountability_open,
            higher_is_better=False,
            link=_accountability_open_link,
        )
    )
