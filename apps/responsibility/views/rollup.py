"""The branch status page and the roll-up of a period down the tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.export_jobs import ExportSpec, export_response
from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404, user_root
from apps.core.views import ScopedQuerysetMixin
from apps.organizations.models import Organization

from .. import exports, forms, selectors
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
            permission = ",".join(self.get_permission_required())
            return export_response(request, spec=self._spec(ctx["rollup"]), permission=permission)
        return self.render_to_response(ctx)

    def export_spec(self) -> ExportSpec:
        """The roll-up's rows (the total, then one per child organization): at once, or — for a scope with
        many children — rebuilt by the background export job for the same user and query."""
        rollup = self.get_context_data(**self.kwargs).get("rollup")
        if not rollup:
            raise ValidationError(_("没有可导出的汇总。"))
        return self._spec(rollup)

    def _spec(self, r: dict[str, Any]) -> ExportSpec:
        rows = [(f"{r['root'].name}（合计）", r["total"]), *[(s.organization.name, s) for s in r["children"]]]
        return ExportSpec(
            title=f"责任落实汇总-{r['period']}",
            filename=f"责任落实汇总-{r['period']}.xlsx",
            headers=["党组织", *exports.RATE_HEADERS],
            rows=([name, *exports.rate_cells(s)] for name, s in rows),
            sheet="责任落实汇总",
            total=len(rows),
        )

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
                root = user_root(user)
            if root:
                rollup = selectors.stats_rollup(user=user, root=root, period=period)
        ctx["form"] = form
        ctx["rollup"] = rollup
        ctx["default_month"] = not params.get("month")
        if rollup:
            ctx.update(selectors.rollup_page_details(user=user, rollup=rollup, today=timezone.localdate()))
        return ctx
