"""Stats API: the same snapshot figures the charts draw, scoped to the user's subtree (404 outside it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.metrics import metrics

from ..panels import dimension_keys
from ..refresh import trend_metric_names
from ..selectors import dashboard_org, scope_data, trend
from . import serializers as s


class CanViewDashboard(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("dashboards.view_dashboard")
        )


class _StatsView(APIView):
    permission_classes = [CanViewDashboard]

    def _query(self, request: Request, serializer_class: Any = s.StatsQuerySerializer) -> dict[str, Any]:
        q = serializer_class(data=request.query_params)
        q.is_valid(raise_exception=True)
        return q.validated_data


def _org(org: Any) -> dict[str, str]:
    return {"code": org.code, "name": org.name}


def _number(v: Any) -> Any:
    return v if v is None or isinstance(v, (int, Decimal)) else Decimal(str(v))


class MemberStatsView(_StatsView):
    @extend_schema(
        parameters=[s.StatsQuerySerializer], responses=s.MemberStatsSerializer, summary="党员统计（分项人数）"
    )
    def get(self, request: Request) -> Response:
        q = self._query(request)
        org = dashboard_org(user=request.user, code=q.get("org"))
        data = scope_data(user=request.user, org=org, as_of=q.get("as_of"), figures=False)
        fig = data.scope
        breakdowns = {
            dim: [{"key": k, "label": str(label), "count": fig.count(f"{dim}:{k}")} for k, label in keys]
            for dim, keys in dimension_keys().items()
        }
        breakdowns["joined_this_year"] = [
            {"key": "yes", "label": "本年入党", "count": fig.count("joined_this_year:yes")}
        ]
        return Response(
            {
                "organization": _org(org),
                "as_of": data.member_as_of,
                "refreshed_at": data.refreshed_at,
                "total": fig.total,
                "breakdowns": breakdowns,
                "children": [{**_org(c.org), "total": c.total} for c in data.children],
            }
        )


class OrganizationStatsView(_StatsView):
    @extend_schema(
        parameters=[s.StatsQuerySerializer], responses=s.OrganizationStatsSerializer, summary="党组织与各项指标"
    )
    def get(self, request: Request) -> Response:
        q = self._query(request)
        org = dashboard_org(user=request.user, code=q.get("org"))
        data = scope_data(user=request.user, org=org, as_of=q.get("as_of"), children=False, members=False)
        figures = [
            {"name": name, "label": m.label, "unit": m.unit, "value": _number(data.scope.value(name))}
            for name, m in sorted(metrics().items())
        ]
        return Response(
            {
                "organization": _org(org),
                "as_of": data.metric_as_of,
                "refreshed_at": data.refreshed_at,
                "figures": figures,
            }
        )


class TrendsView(_StatsView):
    @extend_schema(parameters=[s.TrendQuerySerializer], responses=s.TrendsSerializer, summary="近N个月趋势")
    def get(self, request: Request) -> Response:
        q = self._query(request, s.TrendQuerySerializer)
        org = dashboard_org(user=request.user, code=q.get("org"))
        # the snapshot the other endpoints (and the dashboard) use for this date: the latest on or before it;
        # the months run up to that snapshot's month, as on the dashboard
        data = scope_data(user=request.user, org=org, as_of=q.get("as_of"), children=False, members=False)
        end = data.metric_as_of or q.get("as_of") or timezone.localdate()
        names = trend_metric_names()
        series = trend(user=request.user, org=org, names=names, months=q["months"], end=end)
        registry = metrics()
        months = [str(p) for p, _n, _d in series[names[0]]] if names else []
        out = []
        for name in names:
            m = registry[name]
            values = []
            for _p, num, den in series[name]:
                if m.kind == "rate":
                    values.append((num * 100 / den).quantize(Decimal("0.1")) if den else None)
                else:
                    values.append(num)
            out.append({"name": name, "label": m.label, "unit": m.unit, "values": values})
        return Response(
            {
                "organization": _org(org),
                "as_of": data.metric_as_of,
                "refreshed_at": data.refreshed_at,
                "months": months,
                "series": out,
            }
        )
