"""Keyset pagination of the request list: pages follow ``(received_at, id)`` cursors instead of OFFSET and
COUNT, so the 20th page of a province costs what the first does (a backward scan of the received_at index
that stops after a page, or a top-N of a small subtree) and no page counts the whole subtree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from apps.core.text import is_digits

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def encode(received_at: datetime.datetime, pk: int) -> str:
    delta = received_at - _EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{pk}"


def decode(cursor: str) -> tuple[datetime.datetime, int] | None:
    """A cursor from our own links; anything else (edited by hand) is None: the first page is shown."""
    micros, _sep, pk = (cursor or "").strip().partition(".")
    if not (is_digits(micros.lstrip("-"), 18) and is_digits(pk, 18)) or len(micros) > 18 or len(pk) > 18:
        return None
    try:
        return _EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:
        return None


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool


def keyset_page(
    qs: QuerySet, *, after: str = "", before: str = "", per_page: int = 25, selective: bool = False
) -> KeysetPage:
    """Newest first. ``after``: the page below a cursor; ``before``: the page above it. One query.
    ``selective``: the filter picks a small, unevenly spread set (已逾期, 挂起中 …) that an index on the filter
    finds directly; sorting on an expression keeps the planner from walking the received_at index instead
    (it assumes the matches are spread evenly over time and would read most of a province to fill a page)."""
    a, b = decode(after), decode(before)
    key = Coalesce("received_at", "received_at") if selective else F("received_at")
    if b is not None:
        at, pk = b
        chunk = list(
            qs.filter(Q(received_at__gt=at) | Q(received_at=at, id__gt=pk), received_at__gte=at).order_by(
                key.asc(), "id"
            )[: per_page + 1]
        )
        if len(chunk) <= per_page:  # reached the top: that is the first page
            return keyset_page(qs, per_page=per_page, selective=selective)
        rows = list(reversed(chunk[:per_page]))
        return KeysetPage(
            rows=rows,
            next_cursor=encode(rows[-1].received_at, rows[-1].pk) if rows else after or None,
            prev_cursor=encode(rows[0].received_at, rows[0].pk),
            is_first=False,
        )
    if a is not None:
        at, pk = a
        qs = qs.filter(Q(received_at__lt=at) | Q(received_at=at, id__lt=pk), received_at__lte=at)
    chunk = list(qs.order_by(key.desc(), "-id")[: per_page + 1])
    rows = chunk[:per_page]
    return KeysetPage(
        rows=rows,
        next_cursor=encode(rows[-1].received_at, rows[-1].pk) if len(chunk) > per_page else None,
        prev_cursor=encode(rows[0].received_at, rows[0].pk) if a is not None and rows else None,
        is_first=a is None,
    )
