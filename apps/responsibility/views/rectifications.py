"""Rectification pages: list, detail, notice, and the workflow actions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.views import ScopedDetailView, ScopedListView

from .. import forms, services
from ..filters import (
    RectificationFilterSet,
)
from ..models import (
    Rectification,
)
from .common import ExportMixin, ServiceFormView, _org_name

# ---------------------------------------------------------------- rectifications


class RectificationListView(ExportMixin, ScopedListView):
    model = Rectification
    template_name = "responsibility/rectification_list.html"
    filterset_class = RectificationFilterSet
    export_filename = "整改台账.xlsx"
    export_columns = [
        ("组织代码", lambda r: r.organization.code),
        ("责任组织", _org_name),
        ("问题", lambda r: r.problem.description),
        ("整改措施", lambda r: r.measures),
        ("责任人", lambda r: r.responsible_person),
        ("责任单位", lambda r: r.responsible_unit),
        ("时限类别", lambda r: r.get_deadline_class_display()),
        ("整改期限", lambda r: r.deadline),
        ("状态", lambda r: r.get_status_display()),
        ("销号时间", lambda r: timezone.localtime(r.signed_off_at).date() if r.signed_off_at else None),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "problem")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}


class RectificationDetailView(ScopedDetailView):
    model = Rectification
    template_name = "responsibility/rectification_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "problem", "signed_off_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, r = self.request.user, self.object
        above = services.is_above(user, r.organization) and user.has_perm("responsibility.signoff_rectification")
        ctx.update(
            progress=list(r.progress_entries.select_related("created_by")),
            progress_form=forms.ProgressForm(),
            complete_form=forms.CompleteForm(),
            signoff_form=forms.SignoffForm(),
            recheck_form=forms.RecheckForm(),
            can_signoff=above,
            today=timezone.localdate(),
        )
        return ctx


class RectificationNoticeView(RectificationDetailView):
    """整改通知单, laid out for printing."""

    template_name = "responsibility/rectification_notice.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["parent"] = self.object.organization.parent
        return ctx


class _RectificationAction(ServiceFormView):
    model = object_model = Rectification

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("organization", "problem")


class RectificationUpdateView(_RectificationAction):
    permission_required = ("responsibility.change_rectification",)
    form_class = forms.RectificationForm
    title = gettext_lazy("编辑整改措施")

    def get_initial(self) -> dict[str, Any]:
        r = self.object
        return {f: getattr(r, f) for f in forms.RectificationForm.base_fields}

    def run_service(self, form: Any) -> Rectification:
        return services.rectification_update(
            acting_user=self.request.user, rectification=self.object, **form.cleaned_data
        )


class RectificationProgressView(_RectificationAction):
    permission_required = ("responsibility.add_rectificationprogress",)
    form_class = forms.ProgressForm
    title = gettext_lazy("填报整改进展")

    def run_service(self, form: Any) -> Any:
        services.rectification_progress_add(
            acting_user=self.request.user, rectification=self.object, **form.cleaned_data
        )
        return self.object


class RectificationCompleteView(_RectificationAction):
    permission_required = ("responsibility.change_rectification",)
    form_class = forms.CompleteForm
    title = gettext_lazy("整改完成，申请销号")

    def run_service(self, form: Any) -> Rectification:
        return services.rectification_complete(
            acting_user=self.request.user, rectification=self.object, **form.cleaned_data
        )


class RectificationSignoffView(_RectificationAction):
    permission_required = ("responsibility.signoff_rectification",)
    form_class = forms.SignoffForm
    title = gettext_lazy("整改销号")

    def run_service(self, form: Any) -> Rectification:
        return services.rectification_signoff(
            acting_user=self.request.user,
            rectification=self.object,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )


class RectificationRecheckView(_RectificationAction):
    permission_required = ("responsibility.signoff_rectification",)
    form_class = forms.RecheckForm
    title = gettext_lazy("回头看")

    def run_service(self, form: Any) -> Rectification:
        return services.rectification_recheck(
            acting_user=self.request.user, rectification=self.object, **form.cleaned_data
        )
