"""What is due, overdue or missing, per organization — the raw material of the three letters (三函).

Each domain app registers a *source* (in its AppConfig.ready) that yields DueItems for a period and a
subtree; the supervision app's monthly services collect them from all sources. Sources must be set-based
(a handful of queries for a whole province), never one query per organization.

    from apps.core.due_items import DueItem, register_source

    def overdue_tasks(*, period, stage, root_path):
        ...yield DueItem(...)

    register_source("responsibility.task_overdue", overdue_tasks)

``stage`` is "reminder" (what falls due this month), "supervision" (what is overdue or missing by
mid-month) or "warning" (what is still overdue/missing at month end).

Daily reminders (notices, e-mail, SMS) come from the same rules: the app that owns a rule registers a
*reminder* in ready() whose ``find(today)`` calls the rule's one query with the reminder's window and yields
DueItems carrying a ``link`` and a ``dedupe_key``. The notifications app only delivers them (to the active
users of each item's organization), so it never imports the apps that own the data.

    register_reminder(Reminder(name="probation_due", category="probation_due", find=probation_reminders))
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .periods import Period

STAGES = ("reminder", "supervision", "warning")


@dataclass(frozen=True)
class DueItem:
    organization_id: int  # the organization that must act (the letter's addressee)
    kind: str  # e.g. "task_due", "rectification_overdue", "ledger_missing", "meeting_missing", "term_due"
    title: str  # Chinese text for the letter, e.g. "2026年11月月度台账未提交"
    due_date: datetime.date | None = None
    object_ref: str = ""  # "app_label.model:pk" to link back; "" when the item is an absence
    #: for reminders: the page a notice opens, the key that makes a rerun send nothing twice, and SMS to a
    #: non-user (phone, text) sent once with the first recipient's notice
    link: str = ""
    dedupe_key: str = ""
    extra_sms: tuple[tuple[str, str], ...] = ()


Source = Callable[..., Iterable[DueItem]]
_SOURCES: dict[str, Source] = {}


def register_source(name: str, fn: Source) -> None:
    _SOURCES[name] = fn


def sources() -> dict[str, Source]:
    return dict(_SOURCES)


def collect_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    if stage not in STAGES:
        raise ValueError(stage)
    items: list[DueItem] = []
    for fn in _SOURCES.values():
        items.extend(fn(period=period, stage=stage, root_path=root_path))
    return items


@dataclass(frozen=True)
class Reminder:
    """A daily reminder: ``find(today)`` yields the DueItems to tell each item's organization about."""

    name: str
    category: str  # a notifications NoticeCategory value, e.g. "term_due"
    find: Callable[[datetime.date], Iterable[DueItem]]


_REMINDERS: dict[str, Reminder] = {}


def register_reminder(reminder: Reminder) -> None:
    _REMINDERS[reminder.name] = reminder


def reminders() -> dict[str, Reminder]:
    return dict(_REMINDERS)
