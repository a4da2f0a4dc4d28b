"""Pages of the expense ledger: the list (Excel export), a detail with its review and vouchers, entering an
expense against an allocation, reversing one, and voucher upload / scoped download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.audit import audit_record
from apps.core.export_jobs import ExportSpec
from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits
from apps.core.views import ScopedDetailView, ScopedListView

from . import services
from .exports import JobExportMixin, table_spec
from .filters import ExpenseFilterSet
from .forms import ExpenseForm, ReverseForm, VoucherForm
from .models import Expense, ExpenseVoucher
from .views import _FundingFormView


class ExpenseListView(JobExportMixin, ScopedListView):
    model = Expense
    template_name = "funding/expense_list.html"
    filterset_class = ExpenseFilterSet

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("organization", "allocation")

    def export_spec(self) -> ExportSpec:
        qs = self.get_queryset()
        return table_spec(
            total=qs.count(),
            filename="经费支出.xlsx",
            headers=[
                _("支出日期"),
                _("支出单位"),
                _("组织代码"),
                _("经费年度"),
                _("经费来源"),
                _("支出类别"),
                _("金额（元）"),
                _("收款方"),
                _("用途"),
                _("审批人"),
                _("状态"),
                _("凭证数"),
            ],
            rows=(
                [
                    e.spent_on,
                    e.organization.name,
                    e.organization.code,
                    e.allocation.year,
                    e.get_source_display(),
                    e.get_category_display(),
                    e.amount,
                    e.payee,
                    e.purpose,
                    e.approved_by,
                    e.get_status_display(),
                    e.voucher_count,
                ]
                for e in qs.iterator(chunk_size=2000)
            ),
        )


class ExpenseDetailView(ScopedDetailView):
    model = Expense
    template_name = "funding/expense_detail.html"

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("organization", "allocation", "reverses", "reviewed_by")
            .prefetch_related("vouchers")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["voucher_form"] = kwargs.get("voucher_form") or VoucherForm()
        ctx["reversal"] = Expense.objects.filter(reverses=self.object).first()
        from .views_review import review_context

        ctx.update(review_context(self.request.user, self.object))
        return ctx


class ExpenseCreateView(_FundingFormView):
    model = Expense
    permission_required = "funding.add_expense"
    form_class = ExpenseForm
    title = gettext_lazy("登记经费支出")
    template_name = "funding/expense_form.html"
    success_message = gettext_lazy("支出已登记并提交，等待上级党组织审核。")

    def get_initial(self) -> dict[str, Any]:
        value = self.request.GET.get("allocation", "")
        return {"allocation": value} if is_digits(value) else {}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["allocation_id"] = self.request.POST.get("allocation") or self.request.GET.get("allocation", "")
        return kwargs

    def list_url(self) -> str:
        return reverse("funding:expense_list")

    def run_service(self, form: Any) -> Any:
        return services.expense_create(acting_user=self.request.user, **form.cleaned_data)


class ExpenseReverseView(_FundingFormView):
    model = Expense
    object_model = Expense
    permission_required = "funding.add_expense"
    form_class = ReverseForm
    pass_user = False
    title = gettext_lazy("冲正支出")
    success_message = gettext_lazy("已生成冲正记录，金额已退回该笔经费。")

    def run_service(self, form: Any) -> Any:
        services.expense_reverse(acting_user=self.request.user, expense=self.object, reason=form.cleaned_data["reason"])
        return self.object


class VoucherUploadView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "funding.add_expensevoucher"
    raise_exception = True

    def post(self, request: Any, pk: int) -> HttpResponse:
        expense = get_visible_or_404(Expense.objects.select_related("organization"), request.user, pk=pk)
        form = VoucherForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.voucher_add(acting_user=request.user, expense=expense, file=form.cleaned_data["file"])
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("凭证已上传。"))
        else:
            messages.error(request, _("请选择凭证文件。"))
        return HttpResponseRedirect(expense.get_absolute_url())


class VoucherDownloadView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Vouchers are served only here (scoped, as an attachment); the file's storage URL is never linked."""

    permission_required = "funding.view_expensevoucher"
    raise_exception = True

    def get(self, request: Any, pk: int) -> HttpResponse:
        voucher = get_visible_or_404(ExpenseVoucher.objects.select_related("expense"), request.user, pk=pk)
        audit_record(
            actor=request.user,
            event="expensevoucher.download",
            obj=voucher,
            org_path=voucher.expense.org_path,
            note=voucher.name,
        )
        return FileResponse(voucher.file.open("rb"), as_attachment=True, filename=voucher.name)
