"""The scheduled work of the yearly cycle, as plain idempotent functions (tasks and the command call them)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.core.periods import Period

from .cards import cards_recompute_detail
from .contact import contact_scan
from .dues_stats import dues_stats_refresh
from .points import points_collect


def members_daily(*, day: str | None = None, root_path: str = "/") -> dict:
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    scan = contact_scan(today=today, root_path=root_path)
    this = Period.of(today)
    for p in (this.previous(), this):
        dues_stats_refresh(period=p, root_path=root_path)
    return {"contact": scan, "dues_months": [str(this.previous()), str(this)]}


def members_monthly(*, period: str | None = None, root_path: str = "/") -> dict:
    """``period`` is the month whose cards are computed (default: this month); points cover the month before
    (and the month itself so far), so a re-run adds nothing and a late run catches up."""
    this = Period.parse(period) if period else Period.current()
    created = points_collect(
        start=this.previous().first_day, end=min(this.last_day, timezone.localdate()), root_path=root_path
    )
    cards = cards_recompute_detail(period=this, root_path=root_path)
    return {
        "points_created": created,
        "cards": cards["members"],
        "cards_changed": cards["changed"],
        "period": str(this),
    }
