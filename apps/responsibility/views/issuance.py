"""Issuing items down the tree and importing them from a spreadsheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from apps.core import spreadsheets
from apps.core.export_jobs import ExportSpec, export_response
from apps.core.views import (
    ListExportMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    field_columns,
    form_errors_from,
)

from .. import forms, imports, selectors, services
from ..choices import ItemType
from ..models import (
    Issuance,
    TaskItem,
)
from .common import ServiceFormView

# ---------------------------------------------------------------- issuing and importing


class IssuanceListView(ListExportMixin, ScopedListView):
    model = Issuance
    template_name = "responsibility/issuance_list.html"
    export_filename = gettext_lazy("下发记录")
    export_columns = field_columns(
        Issuance, ["title", "item_type", "year", "issuer", "issued_on", "due_date", "assignee_count"]
    )

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer")


class IssuanceDetailView(ScopedDetailView):
    model = Issuance
    template_name = "responsibility/issuance_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer")

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            permission = ",".join(self.get_permission_required())
            return export_response(request, spec=self.export_spec(), permission=permission)
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> ExportSpec:
        """The roll-up by child organization: at once, or as a background job when the issuer has many."""
        self.object = self.get_object()
        rollup = selectors.issuance_rollup(issuance=self.object)
        cols = rollup["columns"]
        return ExportSpec(
            title="下发汇总",
            filename="下发汇总.xlsx",
            sheet="下发汇总",
            headers=["组织", *[str(ROLLUP_LABELS[c]) for c in cols]],
            rows=([r["org"].name, *[r[c] for c in cols]] for r in rollup["rows"]),
            total=len(rollup["rows"]),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rollup"] = selectors.issuance_rollup(issuance=self.object)
        ctx["labels"] = ROLLUP_LABELS
        user = self.request.user
        ctx["can_revoke"] = user.has_perm(f"responsibility.delete_{self.object.item_type}item") and not (
            services.issuance_progress_count(self.object)
        )
        return ctx


class IssuanceRevokeView(ScopedQuerysetMixin, View):
    """POST: take an issuance back (only while no receiving organization has reported progress)."""

    model = Issuance
    http_method_names = ["post"]

    def post(self, request: Any, pk: int) -> HttpResponse:
        from apps.core.scoping import get_visible_or_404

        issuance = get_visible_or_404(Issuance.objects.select_related("issuer"), request.user, pk=pk)
        try:
            n = services.issuance_revoke(acting_user=request.user, issuance=issuance)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(issuance.get_absolute_url())
        messages.success(request, _("已撤回，删除了下发到各党组织的%(n)d条清单。") % {"n": n})
        return redirect("responsibility:issuance_list")


ROLLUP_LABELS = {
    "total": "下发数",
    "done": "已完成/已销号",
    "done_on_time": "按时完成/待销号",
    "in_progress": "推进中",
    "overdue": "已逾期",
}


class IssuanceCreateView(ServiceFormView):
    model = Issuance
    permission_required = ("responsibility.add_taskitem",)
    form_class = forms.IssueForm
    pass_user = True
    title = gettext_lazy("向下级下发清单")
    success_message = gettext_lazy("已下发。")
    template_name = "responsibility/issuance_form.html"

    def item_type(self) -> str:
        value = self.request.POST.get("item_type") or self.request.GET.get("type") or ItemType.TASK
        return value if value in ItemType.values else ItemType.TASK

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["item_type"] = self.item_type()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["item_type"] = self.item_type()
        ctx["item_types"] = ItemType.choices
        return ctx

    def form_valid(self, form: Any) -> HttpResponse:
        """First a preview (who will receive it), then the same data posted again with confirm=1 issues it."""
        if self.request.POST.get("confirm") != "1":
            d = form.cleaned_data
            try:
                targets = services.issue_targets(
                    issuer=d["issuer"], roots=d.get("roots") or [], kinds=d.get("kinds") or [],
                    sectors=d.get("sectors") or [],
                )  # fmt: skip
                count = targets.count()
            except ValidationError as exc:
                form_errors_from(form, exc)
                return self.form_invalid(form)
            if not count:
                form.add_error(None, _("所选范围内没有符合条件的下级党组织。"))
                return self.form_invalid(form)
            carry = [
                (k, v) for k, vs in self.request.POST.lists() if k not in ("csrfmiddlewaretoken", "confirm") for v in vs
            ]
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    preview={
                        "count": count,
                        "sample": list(targets.order_by("path").only("name")[:30]),
                        "carry": carry,
                    },
                )
            )
        return super().form_valid(form)

    def run_service(self, form: Any) -> Issuance:
        d = form.cleaned_data
        item_type = d["item_type"]
        fields = {ItemType.TASK: ("target",), ItemType.PROBLEM: ("source", "category", "severity", "deadline_class")}
        payload = {key: d.get(key) for key in fields.get(item_type, ("post",))}  # defaults: in the service
        return services.items_issue(
            acting_user=self.request.user,
            issuer=d["issuer"],
            item_type=item_type,
            year=d["year"],
            title=d["title"],
            payload=payload,
            due_date=d.get("due_date"),
            due_quarter=d.get("due_quarter"),
            roots=d.get("roots") or [],
            kinds=d.get("kinds") or [],
            sectors=d.get("sectors") or [],
        )


class ItemImportView(ScopedQuerysetMixin, FormView):
    """Upload → preview (dry run, every row checked) → confirm (the same file, imported atomically)."""

    model = TaskItem
    template_name = "responsibility/item_import.html"
    form_class = forms.ImportForm
    SESSION_KEY = "responsibility.import"

    def get_permission_required(self) -> tuple[str, ...]:
        return (f"responsibility.add_{self.item_type}item",)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.item_type = kwargs["item_type"]
        if self.item_type not in imports.COLUMNS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("template"):
            return spreadsheets.xlsx_response(
                filename=f"{ItemType(self.item_type).label}导入模板.xlsx",
                headers=imports.template_headers(self.item_type),
                rows=[],
                sheet=str(ItemType(self.item_type).label),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["item_type"] = ItemType(self.item_type)
        ctx["headers"] = imports.template_headers(self.item_type)
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("confirm"):
            stored = request.session.get(self.SESSION_KEY)
            if not stored or stored.get("item_type") != self.item_type:
                messages.error(request, _("预览已过期，请重新上传文件。"))
                return redirect(request.path)
            result = imports.items_import(
                acting_user=request.user, item_type=self.item_type, rows=stored["rows"], commit=True
            )
            del request.session[self.SESSION_KEY]
            if result.committed:
                messages.success(request, _("已导入 %(n)d 条。") % {"n": result.created})
                return redirect(LIST_URL[self.item_type])
            return self.render_to_response(self.get_context_data(form=self.get_form(), result=result))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:  # the core upload gate + a memory-limited parser process
            rows = spreadsheets.read_rows(form.cleaned_data["file"], max_rows=5000, max_cols=50)
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
            return self.form_invalid(form)
        rows = [[imports._text(c) if not hasattr(c, "isoformat") else c.isoformat()[:10] for c in r] for r in rows]
        result = imports.items_import(acting_user=self.request.user, item_type=self.item_type, rows=rows, commit=False)
        if not result.errors:
            self.request.session[self.SESSION_KEY] = {"item_type": self.item_type, "rows": rows}
        return self.render_to_response(self.get_context_data(form=form, result=result))


LIST_URL = {
    ItemType.TASK: "responsibility:item_list",
    ItemType.PROBLEM: "responsibility:problem_list",
    ItemType.DUTY: "responsibility:duty_list",
}
