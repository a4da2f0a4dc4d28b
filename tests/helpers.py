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


def export_sync_and_as_job(client: Any, url: str, capture: Any) -> tuple[list[list[Any]], list[list[Any]], Any]:
    """A list's export twice: at once (the default threshold), then — with ``export_sync_max_rows`` at 0 —
    as a background job (run on commit), downloaded from the job's page. Returns (sync rows, job rows, job).
    ``capture`` is pytest-django's ``django_capture_on_commit_callbacks``."""
    import io

    import openpyxl
    from django.urls import reverse

    from apps.core.models import ExportJob, Parameter
    from apps.core.params import invalidate

    def rows(content: bytes) -> list[list[Any]]:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return [[c.value for c in r] for r in sheet.iter_rows()]

    sync = client.get(url)
    assert sync.status_code == 200 and sync["Content-Disposition"].startswith("attachment"), url
    Parameter.objects.update_or_create(key="export_sync_max_rows", defaults={"value": "0"})
    invalidate()
    try:
        with capture(execute=True):
            response = client.get(url)
    finally:
        Parameter.objects.filter(key="export_sync_max_rows").delete()
        invalidate()
    assert response.status_code == 302, (url, response.content[:300])
    job = ExportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert job.status == ExportJob.Status.DONE, (url, job.status, job.message)
    assert client.get(job.get_absolute_url()).status_code == 200
    download = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    return rows(sync.content), rows(body), job
