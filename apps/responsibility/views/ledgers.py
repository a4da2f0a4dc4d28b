"""Monthly ledger pages: list, detail, open, edit, submit, review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.periods import Period
from apps.core.scoping import oversees
from apps.core.text import is_digits
from apps.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin, form_errors_from
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from .. import forms, selectors, services
from ..choices import MeetingKind
from ..filters import (
    MonthlyLedgerFilterSet,
)
from ..models import (
    MonthlyLedger,
)
from .common import ExportMixin, ServiceFormView, _EditableLedgerOnly, _org_name

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
        return selectors.ledgers_with_meeting_counts(self.get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = selectors.ledger_page_rows(ctx["object_list"])
        ctx["object_list"] = rows
        user = self.request.user
        ctx["can_bulk_review"] = user.has_perm("responsibility.review_monthlyledger") and any(
            r.status == "submitted" for r in rows
        )
        own = getattr(user, "organization", None)
        # A ledger is reviewable from the list by the organizations above the branch, never by the branch.
        ctx["reviewable_ids"] = {
            r.pk for r in rows if r.status == "submitted" and (own is None or r.organization_id != own.pk)
        }
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
            and oversees(user, ledger.organization),
            meeting_kinds=MeetingKind.choices,
            attachment_form=forms.AttachmentForm(),
            today=timezone.localdate(),
        )
        return ctx


class LedgerPrintView(MonthlyLedgerDetailView):
    """The month's ledger as a document for the file (台账归档打印)."""

    template_name = "responsibility/ledger_print.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["back_url"] = self.object.get_absolute_url()
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
    success_message = gettext_lazy("已提交。上级审核前台账已锁定。")

    def run_service(self, form: Any) -> MonthlyLedger:
        return services.ledger_submit(acting_user=self.request.user, ledger=self.object)


class LedgerReviewView(_LedgerAction):
    permission_required = ("responsibility.review_monthlyledger",)
    form_class = forms.ReviewForm
    title = gettext_lazy("审核月度台账")

    def run_service(self, form: Any) -> MonthlyLedger:
        approve = form.cleaned_data["decision"] == "approve"
        self.success_message = _("已通过。") if approve else _("已退回，已通知该党支部。")
        return services.ledger_review(
            acting_user=self.request.user,
            ledger=self.object,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )


class LedgerBulkReviewView(ScopedQuerysetMixin, View):
    """POST from the ledger list: approve or return the ticked submitted ledgers in one go."""

    model = MonthlyLedger
    permission_required = ("responsibility.review_monthlyledger",)
    http_method_names = ["post"]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        approve = request.POST.get("decision") == "approve"
        ids = [int(v) for v in request.POST.getlist("ledger") if is_digits(v)]
        back = reverse("responsibility:ledger_list") + (f"?{request.POST['next']}" if request.POST.get("next") else "")
        try:
            done, skipped = services.ledgers_review_bulk(
                acting_user=request.user, ledger_ids=ids, approve=approve, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect(back)
        if done:
            verb = _("已通过") if approve else _("已退回")
            messages.success(request, _("%(v)s %(n)d 本台账。") % {"v": verb, "n": len(done)})
        for name, reason in skipped.items():
            messages.warning(request, _("%(n)s未处理：%(r)s") % {"n": name, "r": reason})
        return redirect(back)
