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
        from apps.organizations.selectors import organization_home_summary

        from .home import home_panels

        ctx = super().get_context_data(**kwargs)
        ctx.update(organization_home_summary(user=self.request.user))
        ctx["panels"] = home_panels(user=self.request.user)
        return ctx


class AuditLogListView(ScopedListView):
    model = AuditLog
    template_name = "core/auditlog_list.html"

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
