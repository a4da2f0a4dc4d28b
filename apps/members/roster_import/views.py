"""Pages and API for the roster import (upload → preview → confirm, progress, history) and the export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from rest_framework import decorators, mixins, parsers, serializers
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.audit import audit_record
from apps.core.pii import can_see_full_pii
from apps.core.scoping import get_visible_or_404
from apps.core.spreadsheets import xlsx_file_response
from apps.core.views import ScopedDetailView, ScopedListView, form_errors_from
from apps.organizations.forms import StyledFormMixin

from ..exports import export_file_name, member_export_xlsx, member_template_xlsx
from .jobs import member_import_job_confirm, member_import_job_create, member_import_job_start
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
    permission_required = "members.view_memberimportjob"

    def get(self, request: Any, pk: int) -> Any:
        job = get_visible_or_404(MemberImportJob, request.user, pk=pk)
        if not job.error_report:
            raise Http404(_("该导入没有错误报告。"))
        name = f"{job.file_name.rsplit('.', 1)[0]}-错误清单.xlsx"
        return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=name)


class MemberImportTemplateView(LoginRequiredMixin, View):
    def get(self, request: Any) -> Any:
        return xlsx_file_response(member_template_xlsx(), "党员名册导入模板.xlsx")


class MemberExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The roster list's filters (same MemberFilterSet) as .xlsx, masked by role."""

    permission_required = "members.view_member"
    max_rows = 200_000

    def get(self, request: Any) -> Any:
        from ..filters import MemberFilterSet
        from ..models import Member

        qs = Member.objects.visible_to(request.user)
        filterset = MemberFilterSet(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponse(_("筛选条件有误，无法导出。"), status=400)
        qs = filterset.qs if filterset.is_bound else qs
        if qs[: self.max_rows + 1].count() > self.max_rows:
            return HttpResponse(_("导出超过 %(n)s 条，请缩小筛选范围。") % {"n": self.max_rows}, status=400)
        data = member_export_xlsx(user=request.user, queryset=qs)
        if can_see_full_pii(request.user) and request.user.organization_id:
            # Reading full ID numbers is audited; one row per export, on the exporting user's organization.
            audit_record(
                actor=request.user,
                event="member.export_full_pii",
                obj=request.user.organization,
                action="view_pii",
                note=_("导出含完整身份证号的党员名册：%(q)s") % {"q": request.GET.urlencode()[:200]},
            )
        return xlsx_file_response(data, export_file_name())


# -- API -----------------------------------------------------------------------------------------------------


class MemberImportJobSerializer(serializers.ModelSerializer):
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
