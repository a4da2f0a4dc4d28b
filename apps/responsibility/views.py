from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin, form_errors_from
from apps.core.views import ServiceFormView as CoreServiceFormView
from apps.members.choices import MemberStatus
from apps.members.models import Member
from apps.organizations.choices import BRANCH_KINDS, OrgKind
from apps.organizations.models import Organization

from . import excel, forms, imports, selectors, services
from .attendance import COMMITTEE_POSTS
from .choices import ItemType, MeetingKind
from .filters import (
    DutyItemFilterSet,
    MonthlyLedgerFilterSet,
    ProblemItemFilterSet,
    RectificationFilterSet,
    TaskItemFilterSet,
)
from .models import (
    DutyItem,
    Issuance,
    Meeting,
    MeetingAttachment,
    MonthlyLedger,
    OrgMonthStats,
    ProblemItem,
    Rectification,
    TaskItem,
)

# ---------------------------------------------------------------- bases


class ExportMixin:
    """``?export=xlsx`` on a list page exports the filtered rows (the same queryset the page shows)."""

    export_columns: list[excel.Column] = []
    export_filename = "export.xlsx"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            qs = self.get_export_queryset()
            return excel.export_queryset(filename=self.export_filename, columns=self.export_columns, queryset=qs)
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def get_export_queryset(self) -> QuerySet:
        return self.get_queryset()  # type: ignore[attr-defined]


class ServiceFormView(CoreServiceFormView):
    template_name = "responsibility/form.html"

    def list_url(self) -> str:
        return reverse("responsibility:item_list")


class _EditableLedgerOnly:
    """Pages that change a ledger's content: a submitted or approved ledger sends the user back to it."""

    def locked_ledger(self) -> MonthlyLedger:
        raise NotImplementedError

    def _refuse_if_locked(self) -> HttpResponse | None:
        ledger = self.locked_ledger()
        if not ledger.is_locked:
            return None
        messages.error(
            self.request,  # type: ignore[attr-defined]
            _("%(p)s月度台账%(s)s（已锁定），不能再修改；如需修改，请由上级党组织退回后再改。")
            % {"p": ledger.period.label, "s": ledger.get_status_display()},
        )
        return redirect(ledger.get_absolute_url())

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_locked() or super().get(request, *args, **kwargs)  # type: ignore[misc]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_locked() or super().post(request, *args, **kwargs)  # type: ignore[misc]


def _org_name(obj: Any) -> str:
    return obj.organization.name


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
            return excel.xlsx_response(
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
            return excel.xlsx_response(
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
            rows = excel.read_rows(form.cleaned_data["file"])
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


# ---------------------------------------------------------------- monthly ledgers


class MonthlyLedgerListView(ExportMixin, ScopedListView):
    model = MonthlyLedger
    template_name = "responsibility/ledger_list.html"
    filterset_class = MonthlyLedgerFilterSet
    export_filename = "月度台账.xlsx"
    export_columns = [
        ("组织代码", lambda x: x.organization.code),
        ("党支部", _org_name),
        ("月份", lambda x: x.period.label),
        ("状态", lambda x: x.get_status_display()),
        ("会议数", lambda x: x.meeting_count),
        ("截止日", lambda x: x.due_date),
        ("提交时间", lambda x: timezone.localtime(x.submitted_at).strftime("%Y-%m-%d %H:%M") if x.submitted_at else ""),
        ("按时提交", lambda x: {True: "是", False: "否"}.get(x.submitted_on_time, "")),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").order_by("-month", "org_path")

    def get_export_queryset(self) -> QuerySet:
        return self.get_queryset().annotate(meeting_count=Count("meetings"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        # Meeting counts for the rows on this page only (a GROUP BY over a province's ledgers would not be).
        rows = list(ctx["object_list"])
        counts = dict(
            Meeting.objects.filter(ledger_id__in=[r.pk for r in rows])
            .values_list("ledger_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for r in rows:
            r.meeting_count = counts.get(r.pk, 0)
        ctx["object_list"] = rows
        return ctx


class MonthlyLedgerDetailView(ScopedDetailView):
    model = MonthlyLedger
    template_name = "responsibility/ledger_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "submitted_by", "reviewed_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, ledger = self.request.user, self.object
        meetings = list(ledger.meetings.select_related("party_group").prefetch_related("attendance", "attachments"))
        ctx.update(
            meetings=meetings,
            gaps=selectors.ledger_missing_meetings(
                branch=ledger.organization, period=ledger.period, include_pending=True
            ),
            can_edit=not ledger.is_locked and user.has_perm("responsibility.change_monthlyledger"),
            can_submit=not ledger.is_locked and user.has_perm("responsibility.submit_monthlyledger"),
            can_review=ledger.status == "submitted"
            and user.has_perm("responsibility.review_monthlyledger")
            and services.is_above(user, ledger.organization),
            meeting_kinds=MeetingKind.choices,
            attachment_form=forms.AttachmentForm(),
            today=timezone.localdate(),
        )
        return ctx


class LedgerOpenView(ServiceFormView):
    """Pick a branch and a month (a branch's own people: the month only); opens or creates that ledger.

    When the ledger already exists the page goes straight to it.
    """

    model = MonthlyLedger
    permission_required = ("responsibility.add_monthlyledger",)
    form_class = forms.LedgerOpenForm
    pass_user = True
    title = gettext_lazy("填报月度台账")
    created = False

    def _own_branch(self) -> Organization | None:
        own = getattr(self.request.user, "organization", None)
        return own if own is not None and own.kind in BRANCH_KINDS else None

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        branch = self._own_branch()
        if branch is not None:
            try:
                period = Period.parse(request.GET.get("month") or str(Period.current()))
            except ValidationError:
                period = Period.current()
            ledger = (
                MonthlyLedger.objects.visible_to(request.user)
                .filter(organization=branch, month=period.first_day)
                .only("id")
                .first()
            )
            if ledger is not None:
                return redirect(ledger.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"month": self.request.GET.get("month") or str(Period.current())}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        branch = self._own_branch()
        if branch is not None:
            ctx["title"] = _("填报月度台账 · %(n)s") % {"n": branch.name}
        return ctx

    def run_service(self, form: Any) -> MonthlyLedger:
        branch, period = form.cleaned_data["branch"], form.cleaned_data["month"]
        self.created = (
            branch is not None
            and not MonthlyLedger.objects.filter(organization=branch, month=period.first_day).exists()
        )
        return services.ledger_open(acting_user=self.request.user, branch=branch, period=period)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            ledger = self.run_service(form)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        if self.created:
            messages.success(self.request, _("已建立%(p)s月度台账，请记录本月会议。") % {"p": ledger.period.label})
        return HttpResponseRedirect(ledger.get_absolute_url())

    def cancel_url(self) -> str:
        return reverse("responsibility:ledger_list")


class _LedgerAction(ServiceFormView):
    model = object_model = MonthlyLedger

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("organization")


class LedgerUpdateView(_EditableLedgerOnly, _LedgerAction):
    permission_required = ("responsibility.change_monthlyledger",)
    form_class = forms.LedgerForm
    title = gettext_lazy("台账说明")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = MonthlyLedger.objects.get(pk=self.object.pk)
        return kwargs

    def locked_ledger(self) -> MonthlyLedger:
        return self.object

    def run_service(self, form: Any) -> MonthlyLedger:
        return services.ledger_update(acting_user=self.request.user, ledger=self.object, **form.cleaned_data)


class LedgerSubmitView(_LedgerAction):
    permission_required = ("responsibility.submit_monthlyledger",)
    form_class = forms.forms.Form
    title = gettext_lazy("提交月度台账")

    def run_service(self, form: Any) -> MonthlyLedger:
        return services.ledger_submit(acting_user=self.request.user, ledger=self.object)


class LedgerReviewView(_LedgerAction):
    permission_required = ("responsibility.review_monthlyledger",)
    form_class = forms.ReviewForm
    title = gettext_lazy("审核月度台账")

    def run_service(self, form: Any) -> MonthlyLedger:
        return services.ledger_review(
            acting_user=self.request.user,
            ledger=self.object,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )


def _warn_quorum(request: Any, meeting: Meeting) -> None:
    if meeting.quorum_met is False:
        messages.warning(request, meeting.quorum_note)


class _MeetingFormMixin:
    template_name = "responsibility/meeting_form.html"

    def ledger(self) -> MonthlyLedger:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        ledger = self.ledger()
        kwargs["ledger"] = ledger
        kwargs["roster"] = list(
            Member.objects.filter(organization_id=ledger.organization_id, status=MemberStatus.ACTIVE)
            .only("id", "name", "party_post", "party_group_id")
            .order_by("id")
        )
        kwargs["groups"] = list(
            Organization.objects.filter(parent_id=ledger.organization_id, kind=OrgKind.PARTY_GROUP, is_active=True)
            .only("id", "name")
            .order_by("id")
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)  # type: ignore[misc]
        ctx["ledger"] = self.ledger()
        ctx["absence_reasons"] = forms.ABSENCE_REASONS
        ctx["committee_posts"] = list(COMMITTEE_POSTS)
        ctx["cancel_url"] = self.ledger().get_absolute_url()
        return ctx


class MeetingCreateView(_EditableLedgerOnly, _MeetingFormMixin, _LedgerAction):
    permission_required = ("responsibility.add_meeting",)
    form_class = forms.MeetingForm
    title = gettext_lazy("记录会议")

    def ledger(self) -> MonthlyLedger:
        return self.object

    locked_ledger = ledger

    def get_initial(self) -> dict[str, Any]:
        period, today = self.object.period, timezone.localdate()
        held_on = today if period.first_day <= today <= period.last_day else period.first_day
        return {"kind": self.request.GET.get("kind", ""), "held_on": held_on}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["initial"]["attendees"] = [m.pk for m in kwargs["roster"]]
        return kwargs

    def run_service(self, form: Any) -> Meeting:
        meeting = services.meeting_create(acting_user=self.request.user, ledger=self.object, **form.service_kwargs())
        _warn_quorum(self.request, meeting)
        return meeting


class MeetingUpdateView(_EditableLedgerOnly, _MeetingFormMixin, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.change_meeting",)
    form_class = forms.MeetingForm
    title = gettext_lazy("修改会议记录")

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger__organization", "organization")

    def ledger(self) -> MonthlyLedger:
        return self.object.ledger

    locked_ledger = ledger

    def get_initial(self) -> dict[str, Any]:
        m = self.object
        initial = {
            "kind": m.kind,
            "held_on": m.held_on,
            "topic": m.topic,
            "place": m.place,
            "minutes": m.minutes,
            "party_group": m.party_group_id,
            "attendee_count": m.attendee_count,
            "absentee_count": m.absentee_count,
        }
        rows = list(m.attendance.all())
        initial["attendees"] = [a.member_id for a in rows if a.present]
        initial.update({f"reason_{a.member_id}": a.absence_reason for a in rows if not a.present})
        return initial

    def run_service(self, form: Any) -> Meeting:
        meeting = services.meeting_update(acting_user=self.request.user, meeting=self.object, **form.service_kwargs())
        _warn_quorum(self.request, meeting)
        return meeting


class MeetingDeleteView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.delete_meeting",)
    form_class = forms.forms.Form
    title = gettext_lazy("删除会议记录")
    template_name = "responsibility/confirm.html"

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger", "organization")

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.ledger

    def run_service(self, form: Any) -> MonthlyLedger:
        ledger = self.object.ledger
        services.meeting_delete(acting_user=self.request.user, meeting=self.object)
        return ledger


class AttachmentAddView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.add_meetingattachment",)
    form_class = forms.AttachmentForm
    title = gettext_lazy("上传会议附件")

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger", "organization")

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.ledger

    def run_service(self, form: Any) -> Meeting:
        services.attachment_add(acting_user=self.request.user, meeting=self.object, file=form.cleaned_data["file"])
        return self.object


class AttachmentDeleteView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = MeetingAttachment
    permission_required = ("responsibility.delete_meetingattachment",)
    form_class = forms.forms.Form
    title = gettext_lazy("删除附件")
    template_name = "responsibility/confirm.html"

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("meeting__ledger", "meeting__organization")

    def cancel_url(self) -> str:
        return self.object.meeting.get_absolute_url()

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.meeting.ledger

    def run_service(self, form: Any) -> Meeting:
        meeting = self.object.meeting
        services.attachment_delete(acting_user=self.request.user, attachment=self.object)
        return meeting


class AttachmentDownloadView(ScopedQuerysetMixin, TemplateView):
    model = MeetingAttachment

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        att = get_visible_or_404(MeetingAttachment, request.user, pk=kwargs["pk"])
        return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


# ---------------------------------------------------------------- branch page and roll-ups


class BranchStatusView(ScopedQuerysetMixin, TemplateView):
    """One branch, one month: ledger state, missing meetings, overdue and due items."""

    model = MonthlyLedger
    template_name = "responsibility/branch_status.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        branch = get_visible_or_404(Organization, self.request.user, pk=kwargs["pk"])
        try:
            period = Period.parse(self.request.GET.get("month") or str(Period.current()))
        except ValidationError:
            period = Period.current()
        ctx.update(selectors.branch_month_status(user=self.request.user, branch=branch, period=period))
        ctx["prev"], ctx["next"] = period.previous(), period.next()
        return ctx


class RollupView(ScopedQuerysetMixin, TemplateView):
    """Rates for a subtree, by child organization and by month, from the pre-aggregated OrgMonthStats."""

    model = OrgMonthStats
    template_name = "responsibility/rollup.html"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        ctx = self.get_context_data(**kwargs)
        if request.GET.get("export") == "xlsx" and ctx.get("rollup"):
            r = ctx["rollup"]
            rows = [(f"{r['root'].name}（合计）", r["total"]), *[(s.organization.name, s) for s in r["children"]]]
            return excel.xlsx_response(
                filename=f"责任落实汇总-{r['period']}.xlsx",
                headers=["党组织", *RATE_HEADERS],
                rows=([name, *_rate_cells(s)] for name, s in rows),
            )
        return self.render_to_response(ctx)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        period = Period.current().previous()
        bad_month = False
        try:
            period = Period.parse(params["month"]) if params.get("month") else period
        except ValidationError:
            bad_month = True  # the bound form below says so
        code = (params.get("org") or "").strip()
        # Fast path (the common one): the scope's stats row and its organization in one scoped query.
        fast = code and not bad_month
        rollup = selectors.stats_rollup_for_code(user=user, code=code, period=period) if fast else None
        form = forms.RollupForm(initial={"org": code, "month": str(period)}, user=user)
        if rollup is None:
            root = None
            if params:
                form = forms.RollupForm(params, user=user)
                if form.is_valid():
                    root = form.cleaned_data.get("org")
                    period = form.cleaned_data.get("month") or period
                elif code:
                    root = False  # not found or out of scope: show the form error only
            if root is None:
                # the user's own organization is in scope by definition
                root = user.organization or Organization.objects.filter(parent__isnull=True).order_by("id").first()
            if root:
                rollup = selectors.stats_rollup(user=user, root=root, period=period)
        ctx["form"] = form
        ctx["rollup"] = rollup
        ctx["default_month"] = not params.get("month")
        if rollup:
            today = timezone.localdate()
            # A month's ledgers are not late before their due date: the rate waits until then.
            for s in [rollup["total"], *rollup["children"], *rollup["trend"]]:
                if s is not None:
                    s.ledger_pending = services.ledger_due_date(Period.of(s.month)) >= today
            children = [s.organization for s in rollup["children"]]
            overdue = selectors.overdue_counts(user=user, root=rollup["root"], children=children, today=today)
            rollup["overdue_total"] = overdue[rollup["root"].pk]
            for s in rollup["children"]:
                s.overdue = overdue.get(s.organization_id)
            ctx["ledger_due"] = services.ledger_due_date(rollup["period"])
            ctx["ledger_pending"] = ctx["ledger_due"] >= today
        return ctx


RATE_HEADERS = [
    "到期任务",
    "按时完成",
    "任务按时完成率%",
    "整改总数",
    "已销号",
    "销号率%",
    "应报台账",
    "按时提交",
    "台账按时率%",
    "组织生活应达项",
    "已达项",
    "组织生活达标率%",
]


def _rate_cells(s: OrgMonthStats | None) -> list[Any]:
    if s is None:
        return [0, 0, None, 0, 0, None, 0, 0, None, 0, 0, None]
    return [
        s.tasks_due,
        s.tasks_done_on_time,
        s.task_on_time_rate,
        s.rectifications,
        s.rectifications_signed_off,
        s.signoff_rate,
        s.ledgers_required,
        s.ledgers_on_time,
        s.ledger_on_time_rate,
        s.meeting_checks,
        s.meeting_checks_met,
        s.meeting_compliance_rate,
    ]
