"""Chinese text helpers for documents: dates as 2026年11月5日, quotations that never double up."""

from __future__ import annotations

import datetime


def cn_date(value: datetime.date | None) -> str:
    """2026年11月5日 (no leading zeros), the date form of official documents."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def quoted(text: str, limit: int | None = None) -> str:
    """Text in Chinese double quotes; quotes inside become single quotes (“整改‘三会一课’不到位”), and text cut
    at ``limit`` characters ends with an ellipsis."""
    text = (text or "").strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    text = text.replace("“", "‘").replace("”", "’").replace('"', "'")
    return f"“{text}”"


def is_digits(text: str, max_len: int = 15) -> bool:
    """Whether ``text`` is a plain number as typed in a query string or form: ASCII digits only (``str.isdigit``
    also accepts '²' or '①', which ``int`` refuses) and at most ``max_len`` of them, so it fits a bigint."""
    return 0 < len(text) <= max_len and text.isascii() and text.isdigit()
