"""The date range of the rates page, API and export: ``from``/``to`` (YYYY-MM-DD, any days) or the older
``start``/``end`` months (YYYY-MM, whole months); default: the last twelve months. One parser for all three,
with the field named in each Chinese message."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.periods import Period

MAX_DAYS = 366 * 10
FIELD_LABELS = {"from": "起始日期", "to": "截止日期", "start": "起始月份", "end": "截止月份"}


def _date(params: Mapping[str, str], name: str) -> datetime.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10 and 1900 <= (day := datetime.date.fromisoformat(raw)).year <= 2999:
            return day
    except ValueError:
        pass
    raise ValidationError({name: _("%(label)s格式应为 YYYY-MM-DD，例如 2026-03-05。") % {"label": FIELD_LABELS[name]}})


def _month(params: Mapping[str, str], name: str) -> Period | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return Period.parse(raw)
    except ValidationError:
        raise ValidationError(
            {name: _("%(label)s格式应为 YYYY-MM，例如 2026-11。") % {"label": FIELD_LABELS[name]}}
        ) from None


def parse_range(
    params: Mapping[str, str], *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """(first day, last day), both included. Raises ValidationError naming the field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, fn in (("from", _date), ("to", _date), ("start", _month), ("end", _month)):
        try:
            values[name] = fn(params, name)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    d_from, d_to = values["from"], values["to"]
    m_start, m_end = values["start"], values["end"]
    if d_from is not None or d_to is not None:
        end = d_to or today
        start = d_from or (Period.of(end).shift(-11).first_day if d_to else Period.of(today).shift(-11).first_day)
        if start > end:
            raise ValidationError({"from": _("起始日期不能晚于截止日期。")})
    else:
        end_p = m_end or Period.of(today)
        start_p = m_start or end_p.shift(-11)
        if start_p > end_p:
            start_p, end_p = end_p, start_p
        start, end = start_p.first_day, end_p.last_day
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"from": _("统计区间最长10年。")})
    return start, end


def is_whole_months(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def range_label(start: datetime.date, end: datetime.date) -> str:
    """2026年1月至2026年12月 for whole months, 2026年3月5日至2026年6月10日 otherwise."""
    if is_whole_months(start, end):
        return f"{start.year}年{start.month}月至{end.year}年{end.month}月"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
