"""The home page panel: the leader's home page *is* the dashboard (headline figures and key charts of their
scope); other roles who may see dashboards get their scope's headline figures and a link into it."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .selectors import dashboard_org

LEADER_PANELS = ("members-category", "members-age", "trend-ledger", "orgs-kind", "recruitment-funnel", "trend-letters")


def home_panel(*, user: Any) -> dict[str, Any]:
    if not user.has_perm("dashboards.view_dashboard"):
        return {"show": False}
    try:
        org = dashboard_org(user=user)
    except Http404:
        return {"show": False}
    from .views import dashboard_context

    is_leader = getattr(user, "role", "") == "leader"
    ctx = dashboard_context(user=user, org=org, with_children=False)
    panels = []
    if is_leader:
        by_id = {p["id"]: p for p in ctx["chart_data"]["panels"]}
        panels = [by_id[i] for i in LEADER_PANELS if i in by_id]
    return {
        "show": True,
        "leader": is_leader,
        "org": org,
        "headline": ctx["headline"],
        "refreshed_at": ctx["refreshed_at"],
        "panels": panels,
        "chart_data": {"panels": panels},
    }
