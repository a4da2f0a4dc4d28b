"""Issuing items down the tree and importing them from a spreadsheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core import spreadsheets
from apps.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin

from .. import forms, imports, selectors, services
from ..choices import ItemType
from ..models import (
    Issuance,
    TaskItem,
)
from .common import ServiceFormView

# ---------------------------------------------------------------- issuing and importing


class IssuanceListView(ScopedListView):
    model = Issuance
    template_name = "responsibility/issuance_list.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer")


class IssuanceDetailView(ScopedDetailView):
    model = Issuance
    template_name = "responsibility/issuance_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer")

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            self.object = self.get_object()
            rollup = selectors.issuance_rollup(issuance=self.object)
            cols = rollup["columns"]
            return spreadsheets.xlsx_response(
                filename="下发汇总.xlsx",
                headers=["组织", *[ROLLUP_LABELS[c] for c in cols]],
                rows=([r["org"].name, *[r[c] for c in cols]] for r in rollup["rows"]),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rollup"] = selectors.issuance_rollup(issuance=self.object)
        ctx["labels"] = ROLLUP_LABELS
        return ctx


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
    template_name = "responsibility/issuance_form.html"

    def run_service(self, form: Any) -> Issuance:
        d = form.cleaned_data
        item_type = d["item_type"]
        payload: dict[str, Any] = {}
        if item_type == ItemType.TASK:
            payload = {"content": d["title"], "target": d.get("target", "")}
        elif item_type == ItemType.PROBLEM:
            payload = {
                "source": d.get("source"),
                "category": d.get("category") or _("其他"),
                "description": d["title"],
                "severity": d.get("severity") or "general",
                "deadline_class": d.get("deadline_class") or "by_date",
            }
        else:
            payload = {"post": d.get("post"), "duties": d["title"]}
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
        try:
            rows = spreadsheets.read_rows(form.cleaned_data["file"])
        except Exception:
            form.add_error("file", _("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。"))
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
