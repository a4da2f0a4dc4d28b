"""Bases of the responsibility pages: list export, the service form page, ledger lock."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core import spreadsheets
from apps.core.views import ListExportMixin
from apps.core.views import ServiceFormView as CoreServiceFormView

from ..models import (
    MonthlyLedger,
)

# ---------------------------------------------------------------- bases


class ExportMixin(ListExportMixin):
    """``?export=xlsx`` on a list page exports the filtered rows (the same queryset the page shows); a large
    list is built in the background with a progress page and an expiring download (apps.core.export_jobs)."""

    export_columns: list[spreadsheets.Column] = []
    export_filename = "export.xlsx"


class ServiceFormView(CoreServiceFormView):
    template_name = "responsibility/form.html"

    def list_url(self) -> str:
        return reverse("responsibility:item_list")


class _EditableLedgerOnly:
    """Pages that change a ledger's content: a submitted or approved ledger sends the user back to it."""

    def locked_ledger(self) -> MonthlyLedger:
        raise NotImplementedError

    def _refuse_if_locked(self) -> HttpResponse | None:
        ledger = self.locked_ledger()
        if not ledger.is_locked:
            return None
        messages.error(
            self.request,  # type: ignore[attr-defined]
            _("%(p)s月度台账%(s)s（已锁定），不能再修改；如需修改，请由上级党组织退回后再改。")
            % {"p": ledger.period.label, "s": ledger.get_status_display()},
        )
        return redirect(ledger.get_absolute_url())

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_locked() or super().get(request, *args, **kwargs)  # type: ignore[misc]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_locked() or super().post(request, *args, **kwargs)  # type: ignore[misc]


def _org_name(obj: Any) -> str:
    return obj.organization.name
