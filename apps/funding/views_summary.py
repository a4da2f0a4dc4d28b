"""年度经费汇总: the yearly summary per level (every community, every village … of a scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from apps.core.export_jobs import ExportSpec, export_response
from apps.core.text import is_digits
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.models import Organization

from .exports import table_spec
from .level_summary import export_rows, level_rows


class LevelSummaryView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """年度经费汇总 per level: each organization of the chosen kind (and sector) in the scope, with what it got
    and spent in the year (from the roll-up); Excel export of all of them."""

    permission_required = "funding.view_allocation"
    raise_exception = True

    def _params(self) -> tuple[Organization, int, str, str, str]:
        request = self.request
        value = request.GET.get("year", "")
        year = int(value) if is_digits(value) and 2000 <= int(value) <= 2100 else timezone.localdate().year
        org_param = request.GET.get("org", "").strip()
        org = (
            Organization.objects.visible_to(request.user).filter(pk=int(org_param)).first()
            if is_digits(org_param) and len(org_param) < 16
            else getattr(request.user, "organization", None)
        )
        if org is None:
            raise Http404(_("未找到，或不在您的管理范围内。"))
        kind = request.GET.get("kind") if request.GET.get("kind") in OrgKind.values else OrgKind.BRANCH
        sector = request.GET.get("sector") if request.GET.get("sector") in Sector.values else ""
        label = OrgKind(kind).label + (f"（{Sector(sector).label}）" if sector else "")
        return org, year, kind, sector, label

    def export_spec(self) -> ExportSpec:
        """Every organization of the level: a background job when there are many (a city's branches)."""
        org, year, kind, sector, label = self._params()
        user = self.request.user
        orgs = Organization.objects.visible_to(user).filter(path__startswith=org.path, kind=kind, is_active=True)
        return table_spec(
            filename=f"经费年度汇总-{org.name}-{year}-{label}.xlsx",
            headers=[_("党组织"), _("组织代码"), _("下拨（元）"), _("支出（元）"), _("余额（元）"), _("执行率（%）")],
            rows=export_rows(user=user, organization=org, year=year, kind=kind, sector=sector),
            total=(orgs.filter(sector=sector) if sector else orgs).count(),
        )

    def get(self, request: Any) -> HttpResponse:
        if request.GET.get("format") == "xlsx":
            return export_response(request, spec=self.export_spec(), permission=self.permission_required)
        org, year, kind, sector, label = self._params()
        rows, count = level_rows(user=request.user, organization=org, year=year, kind=kind, sector=sector)
        this_year = timezone.localdate().year
        return render(
            request,
            "funding/level_summary.html",
            {
                "organization": org, "year": year, "kind": kind, "sector": sector, "label": label, "rows": rows,
                "count": count, "kinds": OrgKind.choices, "sectors": Sector.choices,
                "years": list(range(this_year, this_year - 5, -1)),
            },
        )  # fmt: skip
