"""The branch status page and the roll-up of a period down the tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.core import spreadsheets
from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedQuerysetMixin
from apps.organizations.models import Organization

from .. import exports, forms, selectors, services
from ..models import (
    MonthlyLedger,
    OrgMonthStats,
)

# ---------------------------------------------------------------- branch page and roll-ups


class BranchStatusView(ScopedQuerysetMixin, TemplateView):
    """One branch, one month: ledger state, missing meetings, overdue and due items."""

    model = MonthlyLedger
    template_name = "responsibility/branch_status.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        branch = get_visible_or_404(Organization, self.request.user, pk=kwargs["pk"])
        try:
            period = Period.parse(self.request.GET.get("month") or str(Period.current()))
        except ValidationError:
            period = Period.current()
        ctx.update(selectors.branch_month_status(user=self.request.user, branch=branch, period=period))
        ctx["prev"], ctx["next"] = period.previous(), period.next()
        return ctx


class RollupView(ScopedQuerysetMixin, TemplateView):
    """Rates for a subtree, by child organization and by month, from the pre-aggregated OrgMonthStats."""

    model = OrgMonthStats
    template_name = "responsibility/rollup.html"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        ctx = self.get_context_data(**kwargs)
        if request.GET.get("export") == "xlsx" and ctx.get("rollup"):
            r = ctx["rollup"]
            rows = [(f"{r['root'].name}（合计）", r["total"]), *[(s.organization.name, s) for s in r["children"]]]
            return spreadsheets.xlsx_response(
                filename=f"责任落实汇总-{r['period']}.xlsx",
                headers=["党组织", *exports.RATE_HEADERS],
                rows=([name, *exports.rate_cells(s)] for name, s in rows),
            )
        return self.render_to_response(ctx)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        period = Period.current().previous()
        bad_month = False
        try:
            period = Period.parse(params["month"]) if params.get("month") else period
        except ValidationError:
            bad_month = True  # the bound form below says so
        code = (params.get("org") or "").strip()
        # Fast path (the common one): the scope's stats row and its organization in one scoped query.
        fast = code and not bad_month
        rollup = selectors.stats_rollup_for_code(user=user, code=code, period=period) if fast else None
        form = forms.RollupForm(initial={"org": code, "month": str(period)}, user=user)
        if rollup is None:
            root = None
            if params:
                form = forms.RollupForm(params, user=user)
                if form.is_valid():
                    root = form.cleaned_data.get("org")
                    period = form.cleaned_data.get("month") or period
                elif code:
                    root = False  # not found or out of scope: show the form error only
            if root is None:
                # the user's own organization is in scope by definition
                root = user.organization or Organization.objects.filter(parent__isnull=True).order_by("id").first()
            if root:
                rollup = selectors.stats_rollup(user=user, root=root, period=period)
        ctx["form"] = form
        ctx["rollup"] = rollup
        ctx["default_month"] = not params.get("month")
        if rollup:
            today = timezone.localdate()
            # A month's ledgers are not late before their due date: the rate waits until then.
            for s in [rollup["total"], *rollup["children"], *rollup["trend"]]:
                if s is not None:
                    s.ledger_pending = services.ledger_due_date(Period.of(s.month)) >= today
            children = [s.organization for s in rollup["children"]]
            overdue = selectors.overdue_counts(user=user, root=rollup["root"], children=children, today=today)
            rollup["overdue_total"] = overdue[rollup["root"].pk]
            for s in rollup["children"]:
                s.overdue = overdue.get(s.organization_id)
            ctx["ledger_due"] = services.ledger_due_date(rollup["period"])
            ctx["ledger_pending"] = ctx["ledger_due"] >= today
        return ctx
