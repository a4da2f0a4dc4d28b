"""The working-day calendar: Monday–Friday, minus public holidays, plus make-up working days (调休上班).

One function computes "N working days after T" for the whole system (service-request deadlines today,
other apps' time limits later). The exceptions live in ``WorkCalendarDay`` (one row per date that differs
from the default week), seeded from the State Council's schedule and editable by administrators. Lookups
are per year: each year's exceptions are read once per process and kept in memory (a version number in the
shared cache tells other processes to re-read), and a
change through ``calendar_day_set`` drops the cache and runs the registered recompute hooks so open
deadlines follow the new calendar.

Semantics: ``add_working_days(T, n)`` is the n-th working day strictly after T's date (n=0 is T's date
itself); ``working_days_between(a, b)`` counts working days d with a < d <= b (negative when b < a), so
``add_working_days(a, working_days_between(a, b)) == b`` whenever b is a working day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

_CACHE_VERSION_KEY = "core.workdays.version"
_local: dict[int, tuple[int, dict[datetime.date, bool]]] = {}
_HOOKS: list[Callable[..., Any]] = []
#: Years outside this window are refused: a typo (year 20260) would otherwise loop for ever.
_MIN_YEAR, _MAX_YEAR = 2000, 2100


def register_change_hook(fn: Callable[..., Any]) -> None:
    """``fn(dates=[...])`` runs after a calendar change commits (e.g. recompute open deadlines)."""
    if fn not in _HOOKS:
        _HOOKS.append(fn)


_version_seen: list[float] = [0, -1e9]  # [version, monotonic time read]
_VERSION_TTL = 2.0  # seconds another process may keep a stale calendar after a change


def _version() -> int:
    import time

    now = time.monotonic()
    if now - _version_seen[1] > _VERSION_TTL:
        _version_seen[0], _version_seen[1] = cache.get(_CACHE_VERSION_KEY) or 0, now
    return int(_version_seen[0])


def _year_exceptions(year: int) -> dict[datetime.date, bool]:
    version = _version()
    hit = _local.get(year)
    if hit is not None and hit[0] == version:
        return hit[1]
    from .models import WorkCalendarDay

    # One small query per year per process; the shared cache only carries the version, so a change in
    # one process reaches every other within _VERSION_TTL.
    parsed = dict(WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    _local[year] = (version, parsed)
    return parsed


def invalidate() -> None:
    _local.clear()
    try:
        cache.incr(_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(_CACHE_VERSION_KEY, 1, None)
    _version_seen[1] = -1e9


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_workday(day: datetime.date) -> bool:
    override = _year_exceptions(day.year).get(day)
    if override is not None:
        return override
    return day.weekday() < 5


def add_working_days(start: datetime.date | datetime.datetime, n: int) -> datetime.date:
    """The n-th working day after ``start``'s date (n < 0 counts backwards; n = 0 returns the date)."""
    day = _as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if not (_MIN_YEAR <= day.year <= _MAX_YEAR):
            raise ValidationError({"date": _("日期超出工作日历的范围（2000–2100年）。")})
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(a: datetime.date | datetime.datetime, b: datetime.date | datetime.datetime) -> int:
    """Working days d with a < d <= b; negative (−count of b < d <= a) when b is before a."""
    start, end = _as_date(a), _as_date(b)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def calendar_day_set(
    *, acting_user: Any, date: datetime.date, is_workday: bool | None, note: str = "", source: str = ""
) -> Any:
    """Add, change or (``is_workday`` None) remove one exception day; root administrators only. Audited;
    after commit the change hooks recompute what depends on the calendar (open request deadlines).
    The settings page validates first (``apps.core.calendar_settings``)."""
    from .scoping import ensure_root_admin

    ensure_root_admin(acting_user)
    if not (_MIN_YEAR <= date.year <= _MAX_YEAR):
        raise ValidationError({"date": _("日期：超出工作日历的范围（2000–2100年）。")})
    with transaction.atomic():
        row = apply_day(acting_user=acting_user, date=date, is_workday=is_workday, note=note, source=source)
        transaction.on_commit(lambda: _changed([date]))
    return row


def apply_day(*, acting_user: Any, date: datetime.date, is_workday: bool | None, note: str, source: str) -> Any:
    """Write one exception day and its audit row (inside the caller's transaction; the caller schedules
    ``changed`` after commit and has checked the permission)."""
    from .audit import audit_record, snapshot
    from .models import WorkCalendarDay

    row = WorkCalendarDay.objects.select_for_update().filter(date=date).first()
    before = snapshot(row) if row else None
    default = date.weekday() < 5
    if is_workday is None or is_workday == default:
        # Same as the default week: no row needed (one row per date that *differs*).
        if row is None:
            return None
        audit_record(actor=acting_user, event="workcalendarday.delete", obj=row, before=before, org_path="/")
        row.delete()
        return None
    if row is None:
        row = WorkCalendarDay(date=date)
    row.is_workday, row.note, row.source = is_workday, note, source or row.source
    row.save()
    event = "workcalendarday.update" if before else "workcalendarday.create"
    audit_record(actor=acting_user, event=event, obj=row, before=before, after=snapshot(row), org_path="/")
    return row


def changed_after_commit(dates: list[datetime.date]) -> None:
    transaction.on_commit(lambda: _changed(list(dates)))


def _changed(dates: list[datetime.date]) -> None:
    invalidate()
    for hook in _HOOKS:
        hook(dates=dates)
