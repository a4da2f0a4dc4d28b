"""工作日历 kept by root administrators on a page: a year's holidays and make-up working days with their source
(the State Council's notice), validated, audited; one day at a time or a year's list pasted from the notice.
Writes go through ``workdays.apply_day``; after commit the calendar cache is dropped and the change hooks
recompute what depends on it (open deadlines)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .scoping import ensure_root_admin
from .workdays import _MAX_YEAR, _MIN_YEAR, apply_day, changed_after_commit

HOLIDAY, WORKDAY = "holiday", "workday"
KIND_CHOICES = [(HOLIDAY, "放假"), (WORKDAY, "调休上班")]
WEEKDAYS = "一二三四五六日"


def default_source(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def weekday_label(day: datetime.date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


def _day_label(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日（{weekday_label(day)}）"


def _kind_error(day: datetime.date, is_workday: bool) -> str | None:
    weekend = day.weekday() >= 5
    if is_workday and not weekend:
        return _("%(d)s是工作日，调休上班日应为周六或周日。") % {"d": _day_label(day)}
    if not is_workday and weekend:
        return _("%(d)s是周末，本来就休息，无须登记为放假。") % {"d": _day_label(day)}
    return None


def _existing(dates: list[datetime.date]) -> dict[datetime.date, Any]:
    from .models import WorkCalendarDay

    return {row.date: row for row in WorkCalendarDay.objects.filter(date__in=dates)}


def _kind_name(is_workday: bool) -> str:
    return _("调休上班") if is_workday else _("放假")


def calendar_day_add(*, acting_user: Any, date: Any, kind: str, note: str = "", source: str = "") -> Any:
    """One holiday (on a weekday) or make-up working day (on a weekend); a date already registered is refused
    (a day is either one or the other: remove it first)."""
    ensure_root_admin(acting_user)
    errors: dict[str, str] = {}
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": _("日期：请选择日期。")})
    if not (_MIN_YEAR <= date.year <= _MAX_YEAR):
        raise ValidationError({"date": _("日期：超出工作日历的范围（2000–2100年）。")})
    if kind not in (HOLIDAY, WORKDAY):
        errors["kind"] = _("类型：请选择放假或调休上班。")
    else:
        problem = _kind_error(date, kind == WORKDAY)
        if problem:
            errors["date"] = _("日期：%(p)s") % {"p": problem}
    if len(note or "") > 100:
        errors["note"] = _("说明：不能超过100字。")
    if not (source or "").strip():
        errors["source"] = _("依据：请填写依据，例如%(s)s。") % {"s": default_source(date.year)}
    elif len(source) > 200:
        errors["source"] = _("依据：不能超过200字。")
    row = _existing([date]).get(date)
    if row is not None and "date" not in errors:
        msg = _("日期：该日已登记为%(k)s（%(n)s），同一天不能既放假又调休上班；如需更改，请先删除原记录。")
        errors["date"] = msg % {"k": _kind_name(row.is_workday), "n": row.note or "—"}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        saved = apply_day(
            acting_user=acting_user, date=date, is_workday=kind == WORKDAY, note=(note or "").strip(),
            source=source.strip(),
        )  # fmt: skip
        changed_after_commit([date])
    return saved


def calendar_day_remove(*, acting_user: Any, date: datetime.date) -> None:
    """Remove a registered day (the date follows the ordinary week again)."""
    ensure_root_admin(acting_user)
    if date not in _existing([date]):
        raise ValidationError({"date": _("日期：%(d)s没有登记放假或调休。") % {"d": _day_label(date)}})
    with transaction.atomic():
        apply_day(acting_user=acting_user, date=date, is_workday=None, note="", source="")
        changed_after_commit([date])


# --- a year's list pasted from the notice --------------------------------------------------------------------

_DATE = r"(?:\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?|\d{1,2}月\d{1,2}日?)"
_LINE = re.compile(
    rf"^\s*(?P<a>{_DATE})\s*(?:(?:至|到|~|～|—|－|--)\s*(?P<b>{_DATE}|\d{{1,2}}日?))?\s*"
    r"(?P<kind>调休上班|补班|上班|放假|休息|休假)\s*[，,、：:]?\s*(?P<note>.*?)\s*$"
)


def _parse_date(text: str, year: int, month: int | None = None) -> datetime.date:
    nums = [int(n) for n in re.findall(r"\d+", text)]
    if len(nums) == 3:
        y, m, d = nums
    elif len(nums) == 2:
        y, (m, d) = year, nums
    elif len(nums) == 1 and month is not None:
        y, m, d = year, month, nums[0]
    else:
        raise ValueError(text)
    return datetime.date(y, m, d)


@dataclass
class ImportPlan:
    days: list[tuple[datetime.date, bool, str]]  # (date, is_workday, note)
    skipped_weekends: int


def parse_calendar_text(text: str, year: int) -> ImportPlan:
    """Lines like 「2027-02-06至2027-02-14 放假 春节」, 「2月20日 上班 春节调休」 (a holiday span keeps only its
    weekdays: weekends are off anyway). All problems at once, each naming its line."""
    errors: list[str] = []
    days: dict[datetime.date, tuple[bool, str, int]] = {}
    skipped = 0
    lines = [(n, line) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    if not lines:
        raise ValidationError({"text": _("放假安排：请粘贴放假安排，每行一条。")})
    for n, line in lines:
        m = _LINE.match(line.replace("\u3000", " "))
        if not m:
            msg = _("第%(n)d行：看不懂“%(t)s”，应为“日期[至日期] 放假/上班 说明”。")
            errors.append(msg % {"n": n, "t": line.strip()})
            continue
        try:
            first = _parse_date(m["a"], year)
            last = _parse_date(m["b"], year, first.month) if m["b"] else first
        except ValueError:
            errors.append(_("第%(n)d行：日期不正确。") % {"n": n})
            continue
        if first.year != year or last.year != year:
            errors.append(_("第%(n)d行：日期不在%(y)s年。") % {"n": n, "y": year})
            continue
        if last < first or (last - first).days > 31:
            errors.append(_("第%(n)d行：起止日期不正确。") % {"n": n})
            continue
        is_workday = m["kind"] in ("调休上班", "补班", "上班")
        note = m["note"][:100]
        if is_workday and first != last:
            errors.append(_("第%(n)d行：调休上班请逐日填写。") % {"n": n})
            continue
        day = first
        while day <= last:
            problem = _kind_error(day, is_workday)
            if problem and not is_workday:
                skipped += 1  # a weekend inside a holiday span
            elif problem:
                errors.append(_("第%(n)d行：%(p)s") % {"n": n, "p": problem})
            elif day in days and days[day][0] != is_workday:
                errors.append(
                    _("第%(n)d行：%(d)s在第%(o)d行已列为%(k)s，同一天不能既放假又调休上班。")
                    % {"n": n, "d": _day_label(day), "o": days[day][2], "k": _kind_name(days[day][0])}
                )
            else:
                days[day] = (is_workday, note, n)
            day += datetime.timedelta(days=1)
    if errors:
        raise ValidationError({"text": errors})
    return ImportPlan(days=sorted((d, w, note) for d, (w, note, _n) in days.items()), skipped_weekends=skipped)


def calendar_import(*, acting_user: Any, year: int, text: str, source: str, replace: bool = False) -> dict[str, int]:
    """A year's schedule from pasted lines, in one transaction (each day audited). ``replace`` removes the
    year's registered days that the list does not contain (e.g. the fixed-date days seeded before the notice)."""
    from .models import WorkCalendarDay

    ensure_root_admin(acting_user)
    if not (_MIN_YEAR <= int(year) <= _MAX_YEAR):
        raise ValidationError({"year": _("年度：超出工作日历的范围（2000–2100年）。")})
    source = (source or "").strip() or default_source(year)
    if len(source) > 200:
        raise ValidationError({"source": _("依据：不能超过200字。")})
    plan = parse_calendar_text(text, int(year))
    wanted = {d for d, _w, _n in plan.days}
    with transaction.atomic():
        rows = WorkCalendarDay.objects.select_for_update().filter(date__year=year).order_by("date")
        existing = {row.date: row for row in rows}
        if not replace:
            clashes = [
                _("%(d)s已登记为%(k)s，同一天不能既放假又调休上班（可勾选“替换该年度已登记的安排”）。")
                % {"d": _day_label(d), "k": _kind_name(existing[d].is_workday)}
                for d, w, _n in plan.days
                if d in existing and existing[d].is_workday != w
            ]
            if clashes:
                raise ValidationError({"text": clashes})
        removed = 0
        if replace:
            for day in sorted(set(existing) - wanted):
                apply_day(acting_user=acting_user, date=day, is_workday=None, note="", source="")
                removed += 1
        written = 0
        for day, is_workday, note in plan.days:
            row = existing.get(day)
            if row is not None and (row.is_workday, row.note, row.source) == (is_workday, note, source):
                continue
            apply_day(acting_user=acting_user, date=day, is_workday=is_workday, note=note, source=source)
            written += 1
        changed_after_commit(sorted(wanted | set(existing)))
    return {"written": written, "removed": removed, "skipped_weekends": plan.skipped_weekends}


def year_days(year: int) -> list[Any]:
    from .models import WorkCalendarDay

    return list(WorkCalendarDay.objects.filter(date__year=year).order_by("date"))
