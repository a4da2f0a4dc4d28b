"""Task, problem and duty item pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.views import ScopedDetailView, ScopedListView

from .. import forms, services
from ..filters import (
    DutyItemFilterSet,
    ProblemItemFilterSet,
    TaskItemFilterSet,
)
from ..models import (
    DutyItem,
    ProblemItem,
    TaskItem,
)
from .common import ExportMixin, ServiceFormView, _org_name

# ---------------------------------------------------------------- task items


class TaskItemListView(ExportMixin, ScopedListView):
    model = TaskItem
    template_name = "responsibility/task_list.html"
    filterset_class = TaskItemFilterSet
    export_filename = "任务清单.xlsx"
    export_columns = [
        ("组织代码", lambda t: t.organization.code),
        ("责任组织", _org_name),
        ("年度", lambda t: t.year),
        ("任务内容", lambda t: t.content),
        ("目标要求", lambda t: t.target),
        ("完成时限", lambda t: t.due_date),
        ("状态", lambda t: t.get_status_display()),
        ("完成日期", lambda t: t.completed_on),
        ("完成佐证", lambda t: t.evidence),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").order_by("due_date", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "today": timezone.localdate(), "tab": "task"}


class TaskItemDetailView(ScopedDetailView):
    model = TaskItem
    template_name = "responsibility/task_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "issuance__issuer")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        t = self.object
        ctx["progress_form"] = forms.TaskProgressForm(
            initial={"status": t.status, "completed_on": t.completed_on, "evidence": t.evidence}
        )
        ctx["today"] = timezone.localdate()
        return ctx


class TaskItemCreateView(ServiceFormView):
    model = TaskItem
    permission_required = ("responsibility.add_taskitem",)
    form_class = forms.TaskForm
    pass_user = True
    title = gettext_lazy("新增任务")

    def run_service(self, form: Any) -> TaskItem:
        return services.task_create(acting_user=self.request.user, **form.cleaned_data)


class TaskItemUpdateView(ServiceFormView):
    model = object_model = TaskItem
    permission_required = ("responsibility.change_taskitem",)
    form_class = forms.TaskEditForm
    title = gettext_lazy("编辑任务")

    def get_initial(self) -> dict[str, Any]:
        t = self.object
        return {"content": t.content, "target": t.target, "due_date": t.due_date}

    def run_service(self, form: Any) -> TaskItem:
        return services.task_update(acting_user=self.request.user, task=self.object, **form.cleaned_data)


class TaskItemProgressView(ServiceFormView):
    model = object_model = TaskItem
    permission_required = ("responsibility.change_taskitem",)
    form_class = forms.TaskProgressForm
    title = gettext_lazy("报告任务进展")

    def run_service(self, form: Any) -> TaskItem:
        return services.task_progress_update(acting_user=self.request.user, task=self.object, **form.cleaned_data)


# ---------------------------------------------------------------- problems and duties


class ProblemItemListView(ExportMixin, ScopedListView):
    model = ProblemItem
    template_name = "responsibility/problem_list.html"
    filterset_class = ProblemItemFilterSet
    export_filename = "问题清单.xlsx"
    export_columns = [
        ("组织代码", lambda p: p.organization.code),
        ("责任组织", _org_name),
        ("年度", lambda p: p.year),
        ("问题来源", lambda p: p.get_source_display()),
        ("问题类别", lambda p: p.category),
        ("问题描述", lambda p: p.description),
        ("严重程度", lambda p: p.get_severity_display()),
        ("发现日期", lambda p: p.found_on),
        ("整改状态", lambda p: p.rectification.get_status_display()),
        ("整改期限", lambda p: p.rectification.deadline),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "rectification")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "tab": "problem"}


class ProblemItemDetailView(ScopedDetailView):
    """A problem is shown with its rectification."""

    model = ProblemItem

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = self.get_object()
        return redirect("responsibility:rectification_detail", pk=problem.rectification.pk)


class ProblemItemCreateView(ServiceFormView):
    model = ProblemItem
    permission_required = ("responsibility.add_problemitem",)
    form_class = forms.ProblemForm
    pass_user = True
    title = gettext_lazy("新增问题（同时建立整改台账）")

    def run_service(self, form: Any) -> ProblemItem:
        return services.problem_create(acting_user=self.request.user, **form.cleaned_data)


class DutyItemListView(ExportMixin, ScopedListView):
    model = DutyItem
    template_name = "responsibility/duty_list.html"
    filterset_class = DutyItemFilterSet
    export_filename = "责任清单.xlsx"
    export_columns = [
        ("组织代码", lambda d: d.organization.code),
        ("责任组织", _org_name),
        ("年度", lambda d: d.year),
        ("责任人", lambda d: d.person_name),
        ("职务", lambda d: d.get_post_display()),
        ("责任内容", lambda d: d.duties),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "tab": "duty"}


class DutyItemDetailView(ScopedDetailView):
    model = DutyItem
    template_name = "responsibility/duty_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class DutyItemCreateView(ServiceFormView):
    model = DutyItem
    permission_required = ("responsibility.add_dutyitem",)
    form_class = forms.DutyForm
    pass_user = True
    title = gettext_lazy("新增责任")

    def run_service(self, form: Any) -> DutyItem:
        return services.duty_create(acting_user=self.request.user, **form.cleaned_data)


class DutyItemUpdateView(ServiceFormView):
    model = object_model = DutyItem
    permission_required = ("responsibility.change_dutyitem",)
    form_class = forms.DutyEditForm
    title = gettext_lazy("编辑责任")

    def get_initial(self) -> dict[str, Any]:
        d = self.object
        return {"person_name": d.person_name, "post": d.post, "duties": d.duties}

    def run_service(self, form: Any) -> DutyItem:
        return services.duty_update(acting_user=self.request.user, duty=self.object, **form.cleaned_data)
