"""Demo data: the dashboards have nothing of their own to seed; build the snapshots from the seeded rows."""

from __future__ import annotations

from typing import Any


def seed(ctx: Any) -> None:
    from .refresh import stats_refresh

    stats_refresh()
