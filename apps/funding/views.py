"""Pages: execution (执行率) with drill-down, standards, budgets, allocations (preview → commit, by hand)
and allocation notices (print); Excel export of every table. The expense ledger: views_expenses.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core.export_jobs import ExportSpec, export_response
from apps.core.text import is_digits
from apps.core.views import ScopedDetailView, ScopedListView, ServiceFormView, form_errors_from
from apps.organizations.models import Organization

from . import services
from .exports import JobExportMixin, table_spec
from .filters import AllocationFilterSet, FundingStandardFilterSet
from .forms import (
    AllocateForm,
    BudgetForm,
    CopyForwardForm,
    ManualAllocationForm,
    StandardForm,
)
from .models import Allocation, AllocationNotice, Budget, FundingStandard
from .selectors import execution_summary

PREVIEW_ROWS = 200


def _year(request: Any) -> int:
    value = request.GET.get("year", "")
    return int(value) if is_digits(value) and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _listed(*, filename: str, headers: list[Any], rows: Any) -> ExportSpec:
    rows = list(rows)
    return table_spec(filename=filename, headers=headers, rows=rows, total=len(rows))


def _want_xlsx(request: Any) -> bool:
    return request.GET.get("format") == "xlsx"


# ---------------------------------------------------------------- execution


class ExecutionView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "funding.view_allocation"
    raise_exception = True
    template_name = "funding/execution.html"

    def _load(self) -> None:
        request = self.request
        self.year = _year(request)
        org_param = request.GET.get("org", "").strip()
        user_org = getattr(request.user, "organization", None)
        if org_param:
            lookup = Q(code=org_param) | Q(pk=int(org_param) if is_digits(org_param) else -1)
            org = Organization.objects.visible_to(request.user).filter(lookup).first()
            if org is None:
                raise Http404(_("未找到，或不在您的管理范围内。"))
        elif user_org is not None:
            org = user_org
        else:
            raise Http404(_("未找到，或不在您的管理范围内。"))
        self.summary = execution_summary(user=request.user, organization=org, year=self.year)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if _want_xlsx(request):
            return export_response(request, spec=self.export_spec(), permission=self.permission_required)
        self._load()
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> ExportSpec:
        """One of the page's tables (``table=``: children, source, category, month); a background job when the
        children table is large."""
        self._load()
        return self.export(self.request.GET.get("table", "children"))

    def export(self, table: str) -> ExportSpec:
        s = self.summary
        name = f"经费执行-{s['organization'].name}-{self.year}"
        head = [_("下拨（元）"), _("支出（元）"), _("余额（元）"), _("执行率（%）")]

        def fig(r: Any) -> list:
            return [r.allocated, r.spent, r.remaining, r.rate]

        if table == "source":
            return _listed(
                filename=f"{name}-按来源.xlsx",
                headers=[_("经费来源"), *head],
                rows=([r.label, *fig(r)] for r in s["by_source"]),
            )
        if table == "category":
            return _listed(
                filename=f"{name}-按类别.xlsx",
                headers=[_("支出类别"), _("支出（元）")],
                rows=([r.label, r.spent] for r in s["by_category"]),
            )
        if table == "month":
            return _listed(
                filename=f"{name}-按月.xlsx",
                headers=[_("月份"), _("下拨（元）"), _("支出（元）"), _("累计执行率（%）")],
                rows=(
                    [f"{self.year}年{m['month']}月", m["allocated"], m["spent"], m["cum_rate"]] for m in s["by_month"]
                ),
            )
        rows = [[r.organization.name, r.organization.code, *fig(r)] for r in s["rows"]]
        if s["own_row"]:
            rows.append(
                [_("%(name)s（本级）") % {"name": s["own_row"].label}, s["organization"].code, *fig(s["own_row"])]
            )
        rows.append([_("合计"), "", *fig(s["total"])])
        return _listed(filename=f"{name}.xlsx", headers=[_("党组织"), _("组织代码"), *head], rows=rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = self.summary["organization"]
        user_org = getattr(self.request.user, "organization", None)
        ancestors = []
        if user_org is not None and org.pk != user_org.pk:
            ids = [int(p) for p in org.path.strip("/").split("/")[:-1]]
            ancestors = list(
                Organization.objects.visible_to(self.request.user)
                .filter(pk__in=ids)
                .order_by("depth")
                .only("id", "name")
            )
        this_year = timezone.localdate().year
        ctx.update(self.summary, ancestors=ancestors, years=list(range(this_year, this_year - 5, -1)))
        return ctx


# ---------------------------------------------------------------- standards and budgets


class StandardListView(JobExportMixin, ScopedListView):
    model = FundingStandard
    template_name = "funding/standard_list.html"
    filterset_class = FundingStandardFilterSet

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("region", "previous")

    def export_spec(self) -> ExportSpec:
        qs = self.get_queryset()
        return table_spec(
            total=qs.count(),
            filename="经费标准.xlsx",
            headers=[
                _("年度"),
                _("适用地区"),
                _("标准名称"),
                _("计算方式"),
                _("适用组织类别"),
                _("适用领域"),
                _("标准金额（元）"),
                _("经费来源"),
                _("较上年增长不低于（%）"),
                _("较上年增长（%）"),
                _("提示"),
            ],
            rows=(
                [
                    s.year,
                    s.region.name,
                    s.name,
                    s.get_basis_display(),
                    s.get_target_kind_display(),
                    s.get_target_sector_display(),
                    s.amount,
                    s.get_source_display(),
                    s.growth_min_percent,
                    s.growth_percent,
                    s.growth_warning,
                ]
                for s in qs.iterator(chunk_size=2000)
            ),
        )


class StandardDetailView(ScopedDetailView):
    model = FundingStandard
    template_name = "funding/standard_detail.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("region", "previous")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["allocation_count"] = self.object.allocations.count()
        return ctx


class _FundingFormView(ServiceFormView):
    template_name = "funding/form.html"
    pass_user = True


class StandardCreateView(_FundingFormView):
    model = FundingStandard
    permission_required = "funding.add_fundingstandard"
    form_class = StandardForm
    title = gettext_lazy("新建经费标准")

    def list_url(self) -> str:
        return reverse("funding:standard_list")

    def run_service(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        std = services.standard_create(acting_user=self.request.user, **data)
        if std.growth_warning:
            messages.warning(self.request, std.growth_warning)
        return std


class StandardUpdateView(_FundingFormView):
    model = FundingStandard
    object_model = FundingStandard
    permission_required = "funding.change_fundingstandard"
    form_class = StandardForm
    title = gettext_lazy("修改经费标准")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["region_editable"] = False
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        fields = (
            "name",
            "basis",
            "amount",
            "source",
            "target_kind",
            "target_sector",
            "target_parent_kind",
            "top_level_only",
            "growth_min_percent",
            "note",
        )
        return {f: getattr(self.object, f) for f in fields}

    def run_service(self, form: Any) -> Any:
        std = services.standard_update(acting_user=self.request.user, standard=self.object, **form.cleaned_data)
        if std.growth_warning:
            messages.warning(self.request, std.growth_warning)
        return std


class StandardCopyView(_FundingFormView):
    model = FundingStandard
    permission_required = "funding.add_fundingstandard"
    form_class = CopyForwardForm
    title = gettext_lazy("复制上年标准到下一年度")
    success_message = None

    def get_initial(self) -> dict[str, Any]:
        return {"from_year": timezone.localdate().year - 1, "region": getattr(self.request.user, "organization", None)}

    def list_url(self) -> str:
        return reverse("funding:standard_list")

    def run_service(self, form: Any) -> Any:
        created = services.standard_copy_forward(
            acting_user=self.request.user, region=form.cleaned_data["region"], from_year=form.cleaned_data["from_year"]
        )
        messages.success(self.request, _("已复制 %(n)s 项标准。") % {"n": len(created)})
        return None


class BudgetListView(JobExportMixin, ScopedListView):
    model = Budget
    template_name = "funding/budget_list.html"

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("organization")

    def export_spec(self) -> ExportSpec:
        qs = self.get_queryset()
        return table_spec(
            total=qs.count(),
            filename="经费预算.xlsx",
            headers=[_("年度"), _("党组织"), _("经费来源"), _("预算金额（元）"), _("说明")],
            rows=(
                [b.year, b.organization.name, b.get_source_display(), b.amount, b.note]
                for b in qs.iterator(chunk_size=2000)
            ),
        )


class BudgetSetView(_FundingFormView):
    model = Budget
    permission_required = "funding.add_budget"
    form_class = BudgetForm
    title = gettext_lazy("设置年度预算")

    def list_url(self) -> str:
        return reverse("funding:budget_list")

    def run_service(self, form: Any) -> Any:
        services.budget_set(acting_user=self.request.user, **form.cleaned_data)
        return None


# ---------------------------------------------------------------- allocations


class AllocationListView(JobExportMixin, ScopedListView):
    model = Allocation
    template_name = "funding/allocation_list.html"
    filterset_class = AllocationFilterSet

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("organization", "issuer", "notice", "standard")

    def export_spec(self) -> ExportSpec:
        qs = self.get_queryset()
        return table_spec(
            total=qs.count(),
            filename="经费下拨.xlsx",
            headers=[
                _("文号"),
                _("下拨日期"),
                _("年度"),
                _("下拨单位"),
                _("收款单位"),
                _("组织代码"),
                _("经费来源"),
                _("金额（元）"),
                _("已支出（元）"),
                _("余额（元）"),
                _("计算依据"),
            ],
            rows=(
                [
                    a.notice.number_display,
                    a.allocated_on,
                    a.year,
                    a.issuer.name,
                    a.organization.name,
                    a.organization.code,
                    a.get_source_display(),
                    a.amount,
                    a.spent,
                    a.remaining,
                    a.basis,
                ]
                for a in qs.iterator(chunk_size=2000)
            ),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["notices"] = AllocationNotice.objects.visible_to(self.request.user).select_related("issuer")[:10]
        return ctx


class AllocationDetailView(ScopedDetailView):
    model = Allocation
    template_name = "funding/allocation_detail.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization", "issuer", "notice", "standard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["expenses"] = self.object.expenses.order_by("-spent_on", "-id")[:100]
        return ctx


class AllocationCreateView(_FundingFormView):
    model = Allocation
    permission_required = "funding.add_allocation"
    form_class = ManualAllocationForm
    title = gettext_lazy("单项下拨（专项、一事一议）")

    def list_url(self) -> str:
        return reverse("funding:allocation_list")

    def run_service(self, form: Any) -> Any:
        return services.allocation_create(acting_user=self.request.user, **form.cleaned_data)


class AllocationPreviewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET: choose standards; POST "preview": the per-organization table; POST "commit": allocate."""

    permission_required = "funding.add_allocation"
    raise_exception = True
    template_name = "funding/allocation_preview.html"

    def _form(self, data: Any = None) -> AllocateForm:
        return AllocateForm(data, user=self.request.user, year=_year(self.request))

    def get(self, request: Any) -> HttpResponse:
        return self._render(self._form())

    def _render(self, form: AllocateForm, preview: Any = None) -> HttpResponse:
        this_year = timezone.localdate().year
        ctx = {
            "form": form,
            "preview": preview,
            "year": _year(self.request),
            "years": [this_year + 1, this_year, this_year - 1],
        }
        if preview is not None:
            ctx["lines"] = preview.lines[:PREVIEW_ROWS]
            ctx["more"] = max(0, preview.count - PREVIEW_ROWS)
        return render(self.request, self.template_name, ctx)

    def post(self, request: Any) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form)
        standards = list(form.cleaned_data["standards"])
        try:
            if "commit" in request.POST:
                notice = services.allocation_commit(
                    acting_user=request.user,
                    standards=standards,
                    allocated_on=form.cleaned_data["allocated_on"],
                    title=form.cleaned_data.get("title") or "",
                )
                messages.success(request, _("已下拨，并生成经费下拨通知 %(no)s。") % {"no": notice.number_display})
                return HttpResponseRedirect(notice.get_absolute_url())
            preview = services.allocation_preview(acting_user=request.user, standards=standards, limit=PREVIEW_ROWS)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self._render(form)
        return self._render(form, preview)


class NoticeDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The allocation notice in official layout (print CSS). Issuers see all its lines; a recipient sees the
    notice with only the lines within its own scope."""

    permission_required = "funding.view_allocation"
    raise_exception = True

    def get(self, request: Any, pk: int) -> HttpResponse:
        notice = AllocationNotice.objects.visible_to(request.user).select_related("issuer").filter(pk=pk).first()
        lines = Allocation.objects.visible_to(request.user).filter(notice_id=pk)
        if notice is None:
            if not lines.exists():
                raise Http404(_("未找到，或不在您的管理范围内。"))
            notice = AllocationNotice.objects.select_related("issuer").get(pk=pk)
        rows = list(lines.select_related("organization").order_by("org_path", "id")[:500])
        return render(request, "funding/notice_detail.html", {"object": notice, "rows": rows, "more": len(rows) >= 500})
