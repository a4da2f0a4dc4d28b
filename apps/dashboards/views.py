"""Dashboard, comparison across children, 党内统计 tables (page + Excel) and the hall screen."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.audit import audit_record
from apps.core.metrics import metrics
from apps.organizations.selectors import visible_ancestors

from . import panels as P
from .models import RefreshRun
from .party_stats import all_tables, party_stats_xlsx
from .refresh import trend_metric_names
from .selectors import dashboard_org, parse_as_of, scope_data, trend

PERMISSION = "dashboards.view_dashboard"


class DashboardPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = PERMISSION

    def handle_no_permission(self) -> Any:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def scope(self) -> Any:
        query = self.request.GET
        return dashboard_org(user=self.request.user, code=query.get("org"), name=query.get("org_search"))


CACHE_SECONDS = 600


def dashboard_context(*, user: Any, org: Any, with_children: bool = True) -> dict[str, Any]:
    """Everything a dashboard shows for one scope, cached until the next refresh (or 10 minutes).

    The figures depend only on the organization (the caller has checked it is in the user's scope, and then
    its whole subtree is), so one cache entry serves every user who may see it.
    """
    run = RefreshRun.objects.filter(finished_at__isnull=False).order_by("-id").values_list("id", "finished_at").first()
    stamp = f"{run[0]}@{run[1].timestamp()}" if run else "none"
    names = ",".join(sorted(metrics()))
    key = f"dashboards:ctx:{org.pk}:{org.path}:{stamp}:{int(with_children)}:{hashlib.md5(names.encode()).hexdigest()}"
    ctx = cache.get(key)
    if ctx is None:
        ctx = _dashboard_context(user=user, org=org, with_children=with_children)
        cache.set(key, ctx, CACHE_SECONDS)
    ctx["cache_key"] = key  # the rendered panels are cached under the same key (template fragment cache)
    return ctx


def _dashboard_context(*, user: Any, org: Any, with_children: bool = True) -> dict[str, Any]:
    data = scope_data(user=user, org=org, children=with_children)
    end = data.metric_as_of or timezone.localdate()
    start = datetime.date(end.year, 1, 1)
    trends = trend(user=user, org=org, names=trend_metric_names(), end=end)
    letter_names = [f"supervision.letters.{k}" for k in ("reminder", "supervision", "warning")]
    trend_panels = [
        P.trend_panel(
            "trend-ledger", _("月度台账按时提交率与组织生活达标率（近12个月）"), "line", "%",
            ["responsibility.ledger_compliance_rate", "responsibility.meeting_compliance_rate"], trends, org,
        ),
        P.trend_panel(
            "trend-letters", _("三函与问责（近12个月）"), "stack", "份",
            [*letter_names, "supervision.accountability_opened"], trends, org,
        ),
        P.trend_panel(
            "trend-other", _("经费执行与为民服务（近12个月）"), "line", "%",
            ["funding.execution_rate", "service_requests.on_time_closure_rate", "service_requests.satisfaction_rate"],
            trends, org,
        ),
    ]  # fmt: skip
    groups = [
        (_("党员队伍"), P.member_panels(data)),
        (_("发展党员与增减"), [P.recruitment_panel(data, start, end), P.changes_panel(data, start, end)]),
        (_("基层组织"), P.organization_panels(data, start, end)),
        (_("组织生活与整改"), [p for p in (trend_panels[0], P.rectification_panel(data, start, end)) if p]),
        (_("三函与问责"), [p for p in (trend_panels[1],) if p]),
        (_("经费、服务与考核"), [p for p in (trend_panels[2], *P.optional_panels(data, start, end)) if p]),
    ]
    groups = [(title, ps) for title, ps in groups if ps]
    all_panels = [p for _t, ps in groups for p in ps]
    return {
        "org": org,
        "data": data,
        "headline": P.headline(data),
        "groups": groups,
        "chart_data": {"panels": all_panels},
        "refreshed_at": data.refreshed_at,
        "as_of": data.member_as_of,
    }


class DashboardView(DashboardPermissionMixin, TemplateView):
    template_name = "dashboards/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = self.scope()
        ctx.update(dashboard_context(user=self.request.user, org=org))
        ctx["ancestors"] = visible_ancestors(user=self.request.user, org=org)
        return ctx


def _sort_key(value: Any) -> Any:
    return (value is None, value if value is not None else 0)


class ComparisonView(DashboardPermissionMixin, TemplateView):
    template_name = "dashboards/comparison.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = self.scope()
        data = scope_data(user=self.request.user, org=org)
        columns = P.comparison_columns()
        keys = [c["key"] for c in columns]
        sort = self.request.GET.get("sort") if self.request.GET.get("sort") in keys else keys[0]
        desc = self.request.GET.get("dir", "desc") != "asc"
        rows = [{"fig": f, "org": f.org, "values": [P.comparison_value(f, k) for k in keys]} for f in data.children]
        rows.sort(key=lambda r: _sort_key(r["values"][keys.index(sort)]), reverse=desc)
        if desc:  # missing values last either way
            rows.sort(key=lambda r: r["values"][keys.index(sort)] is None)
        worst: dict[int, Any] = {}
        for i, col in enumerate(columns):
            vals = [r["values"][i] for r in rows if r["values"][i] is not None]
            if col["higher_is_better"] is None or not vals or len(set(vals)) < 2:
                continue
            worst[i] = min(vals) if col["higher_is_better"] else max(vals)
        for r in rows:
            r["cells"] = [
                {"value": v, "worst": i in worst and v is not None and v == worst[i]} for i, v in enumerate(r["values"])
            ]
        col = columns[keys.index(sort)]
        chart = {
            "panels": [
                {
                    "id": "compare",
                    "title": _("%(label)s（按下级党组织）") % {"label": col["label"]},
                    "chart": "hbar",
                    "unit": col["unit"],
                    "items": [
                        {
                            "key": r["org"].code,
                            "label": r["org"].name,
                            "value": float(v) if isinstance(v, Decimal) else v,
                            "color": "#b8141b" if r["cells"][keys.index(sort)]["worst"] else "#2f6db5",
                            "url": f"?org={r['org'].code}",
                        }
                        for r in rows
                        for v in [r["values"][keys.index(sort)]]
                    ],
                }
            ]
        }
        ctx.update(
            org=org,
            data=data,
            columns=columns,
            rows=rows,
            sort=sort,
            desc=desc,
            chart_data=chart,
            refreshed_at=data.refreshed_at,
            ancestors=visible_ancestors(user=self.request.user, org=org),
        )
        return ctx


class PartyStatsView(DashboardPermissionMixin, TemplateView):
    template_name = "dashboards/party_stats.html"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        org = self.scope()
        try:
            as_of = parse_as_of(request.GET.get("as_of"))
            error = ""
        except ValidationError as exc:
            as_of, error = None, exc.message_dict["as_of"][0]
        data = scope_data(user=request.user, org=org, as_of=as_of)
        tables, changes = all_tables(user=request.user, data=data)
        if request.GET.get("format") == "xlsx":
            audit_record(
                actor=request.user, event="dashboards.party_stats_export", obj=org, note=str(data.member_as_of or "")
            )
            return party_stats_xlsx(data=data, tables=tables, changes=changes)
        ctx = self.get_context_data(
            org=org,
            data=data,
            tables=tables,
            changes=changes,
            requested=as_of,
            error=error,
            refreshed_at=data.refreshed_at,
            ancestors=visible_ancestors(user=request.user, org=org),
        )
        return self.render_to_response(ctx)


class ScreenView(DashboardPermissionMixin, TemplateView):
    """大屏: 1920×1080, dark, reloads itself (static/js/dashboards.js reads data-refresh-seconds)."""

    template_name = "dashboards/screen.html"
    refresh_seconds = 300

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = self.scope()
        ctx.update(dashboard_context(user=self.request.user, org=org, with_children=False))
        wanted = ["members-category", "members-age", "members-education", "orgs-kind", "trend-ledger",
                  "trend-letters", "recruitment-funnel", "rectifications", "members-gender"]  # fmt: skip
        by_id = {p["id"]: p for p in ctx["chart_data"]["panels"]}
        screen_panels = [by_id[i] for i in wanted if i in by_id]
        ctx["screen_panels"] = screen_panels
        ctx["chart_data"] = {"panels": screen_panels, "theme": "dark"}
        ctx["refresh_seconds"] = self.refresh_seconds
        return ctx
