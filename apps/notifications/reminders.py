"""Scheduled reminders through the notice machinery. Each reminder is idempotent through its dedupe key,
so the daily job can run twice (or be re-run for a past day) without sending anything twice."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse

from apps.core.params import get_int_param
from apps.core.periods import Period

from .models import NoticeCategory
from .services import NoticeSpec, notices_create, recipients_for_orgs

Reminder = Callable[[datetime.date], list[NoticeSpec]]
_REMINDERS: dict[str, Reminder] = {}


def reminder(name: str) -> Callable[[Reminder], Reminder]:
    def deco(fn: Reminder) -> Reminder:
        _REMINDERS[name] = fn
        return fn

    return deco


def _org_specs(org_rows: list[tuple[int, str, str]], category: str, key_prefix: str) -> list[NoticeSpec]:
    """(org_id, title, link) rows -> one notice per active user of each organization."""
    by_org = recipients_for_orgs(oid for oid, _, _ in org_rows)
    return [
        NoticeSpec(r, category, title, "", link, f"{key_prefix}:{oid}")
        for oid, title, link in org_rows
        for r in by_org.get(oid, [])
    ]


@reminder("term_due")
def term_due_reminders(today: datetime.date) -> list[NoticeSpec]:
    """Term elections due within the configured window (default 6 months): once a month per organization."""
    from apps.organizations.models import Organization, add_months

    until = add_months(today, get_int_param("term_due_warn_months"))
    rows = [
        (
            oid,
            f"{name}换届选举将于{due:%Y-%m-%d}到期，请提前做好换届准备"
            if due >= today
            else f"{name}换届选举已于{due:%Y-%m-%d}到期，请尽快启动换届",
            reverse("organizations:organization_detail", args=[oid]),
        )
        for oid, name, due in Organization.objects.active()
        .filter(term_due_on__isnull=False, term_due_on__lte=until)
        .values_list("id", "name", "term_due_on")
    ]
    return _org_specs(rows, NoticeCategory.TERM_DUE, f"term_due:{Period.of(today)}")


def reminders_run(*, today: datetime.date, only: list[str] | None = None) -> dict[str, int]:
    from . import reminders_domain  # noqa: F401  (registers the reminders built on the domain apps)

    counts = {}
    for name, fn in _REMINDERS.items():
        if only and name not in only:
            continue
        counts[name] = len(notices_create(specs=fn(today)))
    return counts
