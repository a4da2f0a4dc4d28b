"""Base web views: login required, model permission checked, rows from ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView

from .models import AuditLog
from .pagination import CappedPaginator
from .scoping import get_visible_or_404, scoped_queryset


class ScopedQuerysetMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Every page that shows rows of a scoped model uses this; ``permission_required`` defaults to view."""

    model: type[models.Model]
    raise_exception = False

    def get_permission_required(self) -> tuple[str, ...]:
        if self.permission_required is None:
            opts = self.model._meta
            return (f"{opts.app_label}.view_{opts.model_name}",)
        return super().get_permission_required()

    def handle_no_permission(self) -> Any:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def get_queryset(self) -> models.QuerySet:
        return self.optimize_queryset(scoped_queryset(self.model, self.request.user))

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 25
    paginator_class = CappedPaginator
    filterset_class: Any = None

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            if self.filterset.is_bound:
                # Bad filter input shows its error and no rows, never an unfiltered list.
                qs = self.filterset.qs if self.filterset.is_valid() else qs.none()
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["querystring"] = query.urlencode()
        return ctx


def spreadsheets_cap() -> int:
    from .spreadsheets import EXPORT_ROW_CAP

    return EXPORT_ROW_CAP


def field_columns(model: type[models.Model], names: list[str]) -> list[tuple[str, Any]]:
    """Export columns from model fields, as people read them: the field's Chinese name as header, choice
    labels, an organization's (or any related object's) name, 是/否; ``a__b`` follows a relation."""

    def getter(path: str) -> Any:
        def get(obj: Any) -> Any:
            for part in path.split("__")[:-1]:
                obj = getattr(obj, part, None)
                if obj is None:
                    return ""
            last = path.split("__")[-1]
            display = getattr(obj, f"get_{last}_display", None)
            value = display() if display is not None else getattr(obj, last, None)
            if isinstance(value, bool):
                return "是" if value else "否"
            if isinstance(value, models.Model):
                return getattr(value, "name", None) or str(value)
            if isinstance(value, list):
                return "、".join(str(v) for v in value)
            return value

        return get

    columns = []
    for name in names:
        m: Any = model
        field = None
        for part in name.split("__"):
            field = m._meta.get_field(part)
            m = field.related_model or m
        columns.append((str(field.verbose_name), getter(name)))
    return columns


class ListExportMixin:
    """``?export=xlsx`` on a list page downloads what the page shows: the same scoped, filtered queryset,
    one column per ``export_columns`` entry (header, getter), the sheet named after the file. A large list
    is built in the background (apps/core/export_jobs.py): the user sees its progress, then a download link."""

    export_columns: list[tuple[str, Any]] = []
    export_filename = ""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx" and self.export_columns:
            from .export_jobs import export_response

            permissions = self.get_permission_required() if hasattr(self, "get_permission_required") else ()
            return export_response(request, spec=self.export_spec(), permission=",".join(permissions))
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def export_spec(self) -> Any:
        from .export_jobs import ExportSpec

        name = str(self.export_filename).removesuffix(".xlsx") or "导出"
        queryset = self.get_export_queryset()
        columns = [(str(h), fn) for h, fn in self.get_export_columns()]
        return ExportSpec(
            title=name,
            filename=f"{name}.xlsx",
            headers=[c[0] for c in columns],
            rows=([fn(obj) for _h, fn in columns] for obj in queryset.iterator(chunk_size=2000)),
            total=queryset.count(),
        )

    def get_export_columns(self) -> list[tuple[Any, Any]]:
        """``export_columns``; a page whose columns depend on the user (masking by role) overrides this."""
        return list(self.export_columns)

    def get_export_queryset(self) -> models.QuerySet:
        return self.get_queryset()  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)  # type: ignore[misc]
        ctx["can_export"] = bool(self.export_columns)
        return ctx


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    history_limit = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["history"] = (
            AuditLog.objects.visible_to(self.request.user)
            .for_object(self.object)
            .select_related("content_type")[: self.history_limit]
        )
        return ctx


def form_errors_from(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields become non-field errors)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceFormView(ScopedQuerysetMixin, FormView):
    """A form page whose valid submission runs one service.

    The object (``object_model`` + ``pk`` in the URL) is fetched in the user's scope or 404; a service's
    ValidationError lands on the form's fields; success redirects to the result's page.
    """

    title: Any = ""
    object_model: Any = None
    pass_user = False
    object: Any = None
    success_message: Any = gettext_lazy("已保存。")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and self.object_model is not None and "pk" in kwargs:
            self.object = get_visible_or_404(self.optimize_object_qs(self.object_model), request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def optimize_object_qs(self, model: Any) -> models.QuerySet:
        return model._default_manager.all()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.pass_user:
            kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=self.title, object=self.object, cancel_url=self.cancel_url())
        return ctx

    def cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object is not None else self.list_url()

    def list_url(self) -> str:
        return reverse("core:home")

    def run_service(self, form: Any) -> Any:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            result = self.run_service(form)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.success_url_for(result))

    def success_url_for(self, result: Any) -> str:
        return result.get_absolute_url() if result is not None else self.list_url()


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .home import home_context, home_panels

        ctx = super().get_context_data(**kwargs)
        ctx.update(home_context(user=self.request.user))
        ctx["panels"] = home_panels(user=self.request.user)
        return ctx


class OrgSettingsView(LoginRequiredMixin, TemplateView):
    """本单位设置: the settings sections the apps registered, those this user may open."""

    template_name = "core/org_settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .org_settings import sections_for

        ctx = super().get_context_data(**kwargs)
        ctx["sections"] = sections_for(self.request.user)
        return ctx


def _audit_changes_text(entry: AuditLog) -> str:
    lines = [f"{label}：{before} → {after}" for label, before, after in entry.display_changes()]
    if entry.note:
        lines.append(entry.note)
    return "\n".join(lines)


class AuditLogListView(ListExportMixin, ScopedListView):
    model = AuditLog
    template_name = "core/auditlog_list.html"
    export_filename = gettext_lazy("操作日志")
    export_columns = [
        (gettext_lazy("时间"), lambda e: timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S")),
        (gettext_lazy("操作人"), lambda e: e.actor_name or "系统"),
        (gettext_lazy("操作"), lambda e: e.event_label()),
        (gettext_lazy("对象"), lambda e: e.object_repr),
        (gettext_lazy("变更内容"), _audit_changes_text),
    ]

    def get_export_queryset(self) -> models.QuerySet:
        return self.get_queryset()[: spreadsheets_cap()]

    @property
    def filterset_class(self) -> Any:
        from .filters import AuditLogFilterSet

        return AuditLogFilterSet

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs.select_related("content_type")


def _api_error(request: Any, status: int, code: str, detail: str) -> Any:
    """Under /api/ the error pages are the API's error body (JSON), as documented in the schema."""
    from django.http import JsonResponse

    return JsonResponse({"error": code, "detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def permission_denied_view(request: Any, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return _api_error(request, 403, "permission_denied", str(exception or "") or "您的角色没有此项操作的权限。")
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def not_found_view(request: Any, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return _api_error(request, 404, "not_found", "未找到，或不在您的管理范围内。")
    return render(request, "404.html", status=404)


class ParameterSettingsView(LoginRequiredMixin, TemplateView):
    """规则参数: every registered parameter with its default, current value and meaning; root administrators only."""

    template_name = "core/parameter_settings.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from django.core.exceptions import PermissionDenied

        from .scoping import is_root_admin

        if request.user.is_authenticated and not is_root_admin(request.user):
            raise PermissionDenied(gettext_lazy("只有系统管理员（市级及以上）可以修改全局规则表。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .params import DEFAULTS, get_param, value_display

        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [
            {
                "key": key,
                "default": value_display(key, default),
                "value": value_display(key, get_param(key)).strip(),
                "description": description,
            }
            for key, (default, description) in sorted(DEFAULTS.items())
        ]
        ctx["errors"] = kwargs.get("errors", {})
        return ctx

    def post(self, request: Any) -> Any:
        from .params import parameter_set

        key = request.POST.get("key", "")
        try:
            parameter_set(acting_user=request.user, key=key, value=request.POST.get("value", ""))
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(errors={key: exc.messages}), status=400)
        messages.success(request, gettext_lazy("已保存。"))
        return HttpResponseRedirect(reverse("core:parameter_settings"))


def server_error_view(request: Any) -> Any:
    """A Chinese 500 page that needs no context processors (the database may be what failed)."""
    from django.template import loader

    if _is_api(request):
        return _api_error(request, 500, "server_error", "服务器错误，请稍后再试。")
    try:
        html = loader.get_template("500.html").render({})
    except Exception:
        html = "<!doctype html><meta charset=utf-8><title>服务器错误</title><h1>服务器错误</h1><p>请稍后再试。</p>"
    return HttpResponse(html, status=500)
