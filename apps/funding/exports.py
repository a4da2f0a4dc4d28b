"""Excel export of every funding table, through the one spreadsheet home in core (formula guard, widths).

A table that can grow with the tree (standards, budgets, allocations, expenses, the per-level summary) is
exported through the background job path (apps/core/export_jobs.py): at once up to ``export_sync_max_rows``
rows, else a job with progress and a download that expires. The job rebuilds the same view for the same
user and asks it for ``export_spec()``, so the page's scope and filters apply."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from apps.core.export_jobs import ExportSpec, export_response
from apps.core.spreadsheets import xlsx_response  # noqa: F401


def table_spec(*, filename: str, headers: list[Any], rows: Iterable[Iterable[Any]], total: int) -> ExportSpec:
    """A table's spec: the sheet and the job's title named after the file."""
    name = filename.removesuffix(".xlsx")
    return ExportSpec(
        title=name, filename=filename, sheet=name, headers=[str(h) for h in headers], rows=rows, total=total
    )


class JobExportMixin:
    """``?format=xlsx``: the view's ``export_spec()`` as a file now, or as a background job when large."""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "xlsx":
            getter = getattr(self, "get_permission_required", None)
            permission = ",".join(getter()) if getter else ""
            return export_response(request, spec=self.export_spec(), permission=permission)
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def export_spec(self) -> ExportSpec:
        raise NotImplementedError
