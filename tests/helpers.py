"""Test helpers shared by every test folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn: Callable[[], Any], *, warm: bool = False, status: int | None = 200) -> tuple[int, Any]:
    """Run ``fn()`` and return (number of SQL queries it ran, its result) — the project's query-count helper
    ("3 rows and 30 rows, same count"). ``warm``: call ``fn`` once first, so per-process and per-session
    caches (content types, permissions) fill as in a real session. A response must have ``status``
    (``None``: not checked)."""
    if warm:
        fn()
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    if status is not None and hasattr(result, "status_code"):
        assert result.status_code == status, (result.status_code, getattr(result, "content", b"")[:300])
    return len(ctx.captured_queries), result
