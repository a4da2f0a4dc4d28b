"""The pages of a background export: progress (polled by htmx), then the download while it lasts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from .export_jobs import export_job_expire_stale, has_permissions
from .files import serve_file
from .models import ExportJob


class _OwnJobMixin(LoginRequiredMixin):
    """Only the user who asked for an export sees it (within their scope): a sibling's job is a 404."""

    def get_queryset(self) -> Any:
        return ExportJob.objects.of_user(self.request.user)  # type: ignore[attr-defined]


class ExportJobListView(_OwnJobMixin, ListView):
    model = ExportJob
    template_name = "core/exportjob_list.html"
    paginate_by = 25


class ExportJobDetailView(_OwnJobMixin, DetailView):
    model = ExportJob
    template_name = "core/exportjob_detail.html"

    def get_object(self, queryset: Any = None) -> ExportJob:
        return export_job_expire_stale(job=super().get_object(queryset))


class ExportJobProgressView(ExportJobDetailView):
    """The fragment the job page polls; a finished job reloads the page (which then shows the link)."""

    template_name = "core/_exportjob_progress.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_running and self.request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class ExportJobDownloadView(LoginRequiredMixin, View):
    """The file: its owner, in scope, still holding the page's permission (and full-PII rights for an
    unmasked file), before it expires. Every download is audited."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ExportJob.objects.of_user(request.user), pk=pk)
        if not has_permissions(request.user, job.permission):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        if job.full_pii:
            from .pii import can_see_full_pii

            if not can_see_full_pii(request.user):
                raise PermissionDenied(_("您的角色没有查看完整个人信息的权限。"))
        if not job.is_downloadable:
            if job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
                return render(request, "core/exportjob_expired.html", {"object": job}, status=410)
            raise Http404(_("文件尚未生成。"))
        return serve_file(
            request,
            job.file,
            filename=job.file_name,
            audit_obj=job,
            audit_event="exportjob.download",
            audit_action="view_pii" if job.full_pii else "other",
        )
