"""Thin Celery tasks for the monthly letters. Beat starts them; they call services and return counts.

``@service_task()`` (apps/core/tasks.py) gives them retry, late ack and a fresh database connection.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.core.periods import Period
from apps.core.tasks import service_task


@service_task()
def letters_issue_monthly_task(
    kind: str, period: str | None = None, issuer_id: int | None = None, force: bool = False
) -> dict:
    from apps.organizations.models import Organization

    from .letters import letters_issue_monthly

    issuer = Organization.objects.get(pk=issuer_id) if issuer_id else None
    res = letters_issue_monthly(
        kind=kind, period=Period.parse(period) if period else Period.current(), issuer=issuer, force=force
    )
    return {"kind": res.kind, "period": res.period, "created": res.created, "existing": res.existing,
            "accountabilities": res.accountabilities}  # fmt: skip


@service_task()
def letters_issue_scheduled_task(kind: str, date: str | None = None) -> dict:
    """Run daily by beat: issue ``kind`` for the issuers whose rule day for that kind is today."""
    from .letters import effective_rules, letters_issue_monthly, scheduled_date

    today = datetime.date.fromisoformat(date) if date else timezone.localdate()
    period = Period.of(today)
    created = 0
    for rule in effective_rules(kind):
        if scheduled_date(rule, kind, period) == today:
            created += letters_issue_monthly(kind=kind, period=period, issuer=rule.issuer, today=today).created
    return {"kind": kind, "date": str(today), "created": created}
