"""Factories for the responsibility app: rows made through the services, as in production."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from apps.accounts.models import User
from apps.core.periods import Period
from apps.members.models import Member
from apps.responsibility import services
from apps.responsibility.models import MonthlyLedger, ProblemItem, TaskItem

_n = itertools.count(1)


def system_user() -> User:
    return User(username="factory", is_superuser=True, is_active=True)


def last_month() -> Period:
    return Period.current().previous()


def make_member(branch: Any, name: str | None = None, *, status: str = "active", **fields: Any) -> Member:
    """``fields``: category ("full"/"probationary"), party_post, party_group..."""
    return Member.objects.create(
        name=name or f"党员{next(_n)}", gender="1", organization=branch, org_path=branch.path, status=status, **fields
    )


def make_task(org: Any, *, due_date: datetime.date | None = None, **kwargs: Any) -> TaskItem:
    today = datetime.date.today()
    kwargs.setdefault("year", today.year)
    kwargs.setdefault("content", f"测试任务{next(_n)}")
    kwargs.setdefault("issued_on", today - datetime.timedelta(days=60))
    return services.task_create(
        acting_user=system_user(),
        organization=org,
        due_date=due_date or today + datetime.timedelta(days=30),
        **kwargs,
    )


def make_problem(org: Any, **kwargs: Any) -> ProblemItem:
    today = datetime.date.today()
    kwargs.setdefault("year", today.year)
    kwargs.setdefault("source", "inspection")
    kwargs.setdefault("category", "组织生活")
    kwargs.setdefault("description", f"三会一课记录不全{next(_n)}")
    kwargs.setdefault("found_on", today - datetime.timedelta(days=40))
    kwargs.setdefault("deadline", today + datetime.timedelta(days=20))
    kwargs.setdefault("measures", "补齐会议记录\n建立台账")
    return services.problem_create(acting_user=system_user(), organization=org, **kwargs)


def make_ledger(branch: Any, period: Period | None = None) -> MonthlyLedger:
    return services.ledger_open(acting_user=system_user(), branch=branch, period=period or last_month())


def make_meeting(ledger: MonthlyLedger, kind: str = "committee_meeting", *, day: int = 10, **kwargs: Any) -> Any:
    kwargs.setdefault("topic", "学习贯彻会议精神")
    return services.meeting_create(
        acting_user=system_user(),
        ledger=ledger,
        kind=kind,
        held_on=ledger.period.first_day.replace(day=day),
        **kwargs,
    )
