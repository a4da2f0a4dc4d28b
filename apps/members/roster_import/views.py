"""Pages and API for the roster import (upload → preview → confirm, progress, history) and the export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from rest_framework import decorators, mixins, parsers, serializers
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.export_jobs import ExportSpec, export_response
from apps.core.files import serve_file
from apps.core.pii import FULL_PII_PERMISSION, can_see_full_pii
from apps.core.scoping import get_visible_or_404
from apps.core.spreadsheets import xlsx_file_response
from apps.core.views import ScopedDetailView, ScopedListView, form_errors_from
from apps.organizations.forms import StyledFormMixin

from ..exports import member_export_spec, member_template_xlsx
from .jobs import (
    member_import_job_confirm,
    member_import_job_create,
    member_import_job_expire_stale,
    member_import_job_start,
)
from .models import MemberImportJob


class MemberImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("名册文件"),
        help_text=gettext_lazy("支持 .xlsx 和 .csv；先预览校验结果，确认后才写入名册。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class MemberImportListView(ScopedListView):
    model = MemberImportJob
    template_name = "members/import_list.html"
    paginate_by = 30

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs.select_related("created_by", "organization")


class MemberImportCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "members.add_memberimportjob"
    form_class = MemberImportForm
    template_name = "members/import_form.html"

    def form_valid(self, form: MemberImportForm) -> Any:
        try:
            job = member_import_job_create(acting_user=self.request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        member_import_job_start(job=job)
        return redirect(job.get_absolute_url())


class MemberImportDetailView(ScopedDetailView):
    model = MemberImportJob
    template_name = "members/import_detail.html"

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs.select_related("created_by", "organization")

    def get_object(self, queryset: models.QuerySet | None = None) -> MemberImportJob:
        # A job whose worker died (killed for memory, machine restarted) ends as failed, never stuck.
        return member_import_job_expire_stale(job=super().get_object(queryset))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_download_file"] = can_see_full_pii(self.request.user) and bool(self.object.file)
        return ctx


class MemberImportProgressView(MemberImportDetailView):
    """The htmx fragment the detail page polls while a job runs; a finished job reloads the page."""

    template_name = "members/import_progress.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_running and self.request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class MemberImportConfirmView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "members.add_memberimportjob"

    def post(self, request: Any, pk: int) -> Any:
        job = get_visible_or_404(MemberImportJob, request.user, pk=pk)
        try:
            member_import_job_confirm(acting_user=request.user, job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(job.get_absolute_url())


class MemberImportErrorReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The error report (rows and values of a roster): scoped, a download, each fetch audited."""

    permission_required = "members.view_memberimportjob"

    def get(self, request: Any, pk: int) -> Any:
        job = get_visible_or_404(MemberImportJob, request.user, pk=pk)
        if not job.error_report:
            raise Http404(_("该导入没有错误报告。"))
        name = f"{job.file_name.rsplit('.', 1)[0]}-错误清单.xlsx"
        return serve_file(request, job.error_report, filename=name, audit_obj=job, audit_event="memberimport.errors")


class MemberImportFileView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The uploaded roster itself (full ID numbers): only for roles that see full personal data; audited."""

    permission_required = ("members.view_memberimportjob", FULL_PII_PERMISSION)

    def get(self, request: Any, pk: int) -> Any:
        job = get_visible_or_404(MemberImportJob, request.user, pk=pk)
        return serve_file(request, job.file, filename=job.file_name, audit_obj=job, audit_event="memberimport.file")


class MemberImportTemplateView(LoginRequiredMixin, View):
    def get(self, request: Any) -> Any:
        return xlsx_file_response(member_template_xlsx(), "党员名册导入模板.xlsx")


class MemberExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The roster list's filters (same MemberFilterSet) as .xlsx, masked by role. A large roster is built in
    the background (apps.core.export_jobs): the user watches its progress, then downloads the file."""

    permission_required = "members.view_member"
    max_rows = 200_000

    def get(self, request: Any) -> Any:
        try:
            spec = self.export_spec()
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400)
        return export_response(request, spec=spec, permission=self.permission_required)

    def export_spec(self) -> ExportSpec:
        from ..filters import MemberFilterSet
        from ..models import Member

        request = self.request
        qs = Member.objects.visible_to(request.user)
        filterset = MemberFilterSet(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(_("筛选条件有误，无法导出。"))
        qs = filterset.qs if filterset.is_bound else qs
        total = qs[: self.max_rows + 1].count()
        if total > self.max_rows:
            raise ValidationError(_("导出超过 %(n)s 条，请缩小筛选范围。") % {"n": self.max_rows})
        filters = [k for k, v in request.GET.items() if v]
        return member_export_spec(
            acting_user=request.user, queryset=qs, filters=filters, total=total, max_rows=self.max_rows
        )


# -- API -----------------------------------------------------------------------------------------------------


class MemberImportJobSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(
        read_only=True, allow_null=True, help_text="文件的 SHA-256（仅系统管理员可见，其他角色为 null）"
    )
    created_by = serializers.StringRelatedField()
    organization = serializers.StringRelatedField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    error_report = serializers.SerializerMethodField()

    class Meta:
        model = MemberImportJob
        fields = [
            "id",
            "file_name",
            "file_size",
            "sha256",
            "status",
            "status_display",
            "organization",
            "created_by",
            "created_at",
            "finished_at",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "new_count",
            "updated_count",
            "unchanged_count",
            "invalid_count",
            "message",
            "errors_preview",
            "error_report",
        ]
        read_only_fields = fields

    def to_representation(self, job: MemberImportJob) -> dict[str, Any]:
        data = super().to_representation(job)
        request = self.context.get("request")
        if not (request and request.user.is_superuser):
            data["sha256"] = None  # a hash of a roster is a lookup key for it: admins only
        return data

    def get_error_report(self, job: MemberImportJob) -> str | None:
        if not job.error_report:
            return None
        from django.urls import reverse

        return reverse("members:import_errors", args=[job.pk])


class MemberImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class MemberImportJobViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Upload a roster file (multipart ``file``) → preview; ``POST …/{id}/confirm/`` → import."""

    queryset = MemberImportJob.objects.all()
    serializer_class = MemberImportJobSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
    filterset_fields = ["status"]

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs.select_related("created_by", "organization")

    def get_object(self) -> Any:
        return member_import_job_expire_stale(job=super().get_object())

    def get_serializer_class(self) -> Any:
        return MemberImportUploadSerializer if self.action == "create" else MemberImportJobSerializer

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        upload = MemberImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = member_import_job_create(acting_user=request.user, uploaded=upload.validated_data["file"])
        member_import_job_start(job=job)
        job.refresh_from_db()
        return Response(MemberImportJobSerializer(job).data, status=201)

    @decorators.action(detail=True, methods=["post"])
    def confirm(self, request: Any, pk: Any = None) -> Response:
        job = self.get_object()
        job = member_import_job_confirm(acting_user=request.user, job=job)
        return Response(MemberImportJobSerializer(job).data)
