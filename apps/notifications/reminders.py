"""Daily reminders, delivered. *What* is due is decided by the app that owns the data (a ``Reminder``
registered in its ready(), see ``apps.core.due_items``); this module only turns each DueItem into one
notice per active user of the item's organization. Each notice is idempotent through its dedupe key, so the
daily job can run twice (or be re-run for a past day) without sending anything twice."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from apps.core.due_items import DueItem, reminders

from .services import NoticeSpec, notices_create, recipients_for_orgs


def notice_specs(items: Iterable[DueItem], category: str) -> list[NoticeSpec]:
    """One notice per active user of each item's organization; an item's extra SMS goes with the first."""
    items = list(items)
    by_org = recipients_for_orgs(item.organization_id for item in items)
    specs = []
    for item in items:
        for i, user in enumerate(by_org.get(item.organization_id, [])):
            extra = item.extra_sms if i == 0 else ()
            specs.append(NoticeSpec(user, category, item.title, "", item.link, item.dedupe_key, extra))
    return specs


def reminders_run(*, today: datetime.date, only: list[str] | None = None) -> dict[str, int]:
    counts = {}
    for name, reminder in reminders().items():
        if only and name not in only:
            continue
        counts[name] = len(notices_create(specs=notice_specs(reminder.find(today), reminder.category)))
    return counts
