"""党费 pages: the branch's month on one page, a member's dues, receipts, imports, roll-up, arrears."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits
from apps.core.views import ScopedQuerysetMixin, ServiceFormView
from apps.organizations.choices import BRANCH_KINDS

from .. import dues, dues_collection, dues_import, dues_stats
from ..dues_models import DuesBase, DuesHandover, DuesMonthStats, DuesPayment
from ..forms_yearly import DuesArrearsNoteForm, DuesBaseForm, DuesHandoverForm, SpreadsheetUploadForm
from ..models import Member
from .common import pick_month, pick_org


class DuesMonthView(ScopedQuerysetMixin, TemplateView):
    """A branch's month on one page: tick who paid, amount, method and date; one submit saves them all."""

    model = DuesPayment
    template_name = "members/dues_month.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.org = pick_org(request)
            self.period = pick_month(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        is_branch = self.org.kind in BRANCH_KINDS
        rows = (
            dues_collection.dues_month_sheet(user=self.request.user, organization=self.org, period=self.period)
            if is_branch
            else []
        )
        posted = getattr(self, "posted", None)
        today = timezone.localdate()
        for r in rows:
            pk, pay = r.member.pk, r.payment
            if posted is not None:
                r.checked = bool(posted.get(f"paid_{pk}"))
                r.amount_value = posted.get(f"amount_{pk}", "")
                r.method_value = posted.get(f"method_{pk}", "")
                r.date_value = posted.get(f"paid_on_{pk}", "")
            else:
                r.checked = pay is not None
                r.amount_value = pay.amount if pay else (r.expected if r.expected is not None else "")
                r.method_value = pay.method if pay else ""
                r.date_value = (pay.paid_on if pay else today).isoformat()
        ctx.update(
            org=self.org,
            period=self.period,
            is_branch=is_branch,
            rows=rows,
            posted=posted,
            errors=getattr(self, "errors", None),
            today=today,
            methods=dues_collection.PaymentMethod.choices,
            can_record=self.request.user.has_perm("members.add_duespayment"),
            prev=self.period.previous(),
            next=self.period.next() if self.period.next() <= Period.current() else None,
            paid_count=sum(1 for r in rows if r.payment),
            liable_count=sum(1 for r in rows if r.liable and (r.expected is None or r.expected > 0)),
        )
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("members.add_duespayment"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        ids = [int(v) for v in request.POST.getlist("member") if is_digits(v)]
        payments, unpaid = [], []
        for mid in ids:
            if request.POST.get(f"paid_{mid}"):
                payments.append(
                    dues_collection.PaymentInput(
                        member_id=mid,
                        amount=request.POST.get(f"amount_{mid}", ""),
                        method=request.POST.get(f"method_{mid}", ""),
                        paid_on=request.POST.get(f"paid_on_{mid}", ""),
                        label=request.POST.get(f"name_{mid}", "")[:50],
                    )
                )
            else:
                unpaid.append(mid)
        try:
            result = dues_collection.dues_record_month(
                acting_user=request.user, organization=self.org, period=self.period, payments=payments, unpaid=unpaid
            )
        except ValidationError as exc:
            self.errors = [m for msgs in exc.message_dict.values() for m in msgs]
            self.posted = request.POST
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(
            request,
            _("已保存%(p)s党费：%(n)d人已交，撤销%(r)d人。")
            % {"p": self.period.label, "n": result["recorded"], "r": result["removed"]},
        )
        return HttpResponseRedirect(f"{reverse('members:dues_month')}?org={self.org.code}&month={self.period}")


class MemberDuesView(ScopedQuerysetMixin, TemplateView):
    model = Member
    template_name = "members/dues_member.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        member = get_visible_or_404(Member.objects.select_related("organization"), self.request.user, pk=kwargs["pk"])
        status = dues_collection.dues_status_for([member])[member.pk]
        ctx.update(
            object=member,
            status=status,
            bases=DuesBase.objects.filter(member=member).order_by("-year"),
            payments=DuesPayment.objects.filter(member=member).order_by("-month")[:60],
            notes=dues_collection.DuesArrearsNote.objects.filter(member=member)[:20],
        )
        return ctx


class DuesReceiptView(ScopedQuerysetMixin, TemplateView):
    model = DuesPayment
    template_name = "members/dues_receipt.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["payment"] = get_visible_or_404(
            DuesPayment.objects.select_related("member", "organization", "recorded_by"),
            self.request.user,
            pk=kwargs["pk"],
        )
        return ctx


class _MemberFormView(ServiceFormView):
    template_name = "members/form.html"
    model = Member
    object_model = Member

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def success_url_for(self, result: Any) -> str:
        return reverse("members:dues_member", args=[self.object.pk])

    def cancel_url(self) -> str:
        return reverse("members:dues_member", args=[self.object.pk])


class DuesBaseSetView(_MemberFormView):
    permission_required = ("members.add_duesbase",)
    form_class = DuesBaseForm
    title = gettext_lazy("登记党费基数")

    def run_service(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        return dues.dues_base_set(acting_user=self.request.user, member=self.object, **data)


class DuesArrearsNoteView(_MemberFormView):
    permission_required = ("members.add_duesarrearsnote",)
    form_class = DuesArrearsNoteForm
    title = gettext_lazy("记录欠交党费情况")

    def run_service(self, form: Any) -> Any:
        return dues_collection.dues_arrears_note_record(
            acting_user=self.request.user, member=self.object, **form.cleaned_data
        )


class DuesRollupView(ScopedQuerysetMixin, TemplateView):
    """Collection rate and amounts per child organization for a month, from the pre-aggregated table."""

    model = DuesMonthStats
    permission_required = ("members.view_duespayment",)
    template_name = "members/dues_rollup.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = pick_org(self.request)
        period = pick_month(self.request, default=Period.current())
        ctx.update(dues_stats.dues_rollup(user=self.request.user, organization=org, period=period))
        ctx["handovers"] = (
            DuesHandover.objects.visible_to(self.request.user)
            .filter(organization=org, month__year=period.year)
            .order_by("-month")
        )
        ctx["can_handover"] = self.request.user.has_perm("members.add_duespayment")
        ctx["long_arrears"] = (
            dues_stats.long_arrears_members(period=period, root_path=org.path)
            .visible_to(self.request.user)
            .select_related("organization")[:50]
        )
        return ctx


class DuesHandoverView(ServiceFormView):
    template_name = "members/form.html"
    model = DuesHandover
    permission_required = ("members.add_duespayment",)
    form_class = DuesHandoverForm
    title = gettext_lazy("登记党费上缴")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.org = pick_org(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"{self.title} · {self.org.name}"
        return ctx

    def list_url(self) -> str:
        return f"{reverse('members:dues_rollup')}?org={self.org.code}"

    def run_service(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        if data.get("month") is None:
            raise ValidationError({"month": _("请选择月份。")})
        dues_collection.dues_handover_record(
            acting_user=self.request.user, organization=self.org, period=data.pop("month"), **data
        )
        return None


class DuesImportView(ScopedQuerysetMixin, View):
    """Upload bases or payments for a branch (or a whole county); row/column errors and nothing saved."""

    model = DuesPayment
    permission_required = ("members.add_duespayment",)

    def get(self, request: Any, kind: str) -> HttpResponse:
        return self._render(request, kind, SpreadsheetUploadForm())

    def _render(self, request: Any, kind: str, form: Any, result: Any = None, status: int = 200) -> HttpResponse:
        if kind not in ("bases", "payments"):
            raise Http404
        return render(
            request,
            "members/dues_import.html",
            {"form": form, "kind": kind, "result": result, "columns": dues_import.COLUMNS[kind]},
            status=status,
        )

    def post(self, request: Any, kind: str) -> HttpResponse:
        if kind == "bases" and not request.user.has_perm("members.add_duesbase"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        form = SpreadsheetUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, kind, form, status=400)
        try:
            result = dues_import.dues_import_file(
                acting_user=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                year=form.cleaned_data.get("year"),
                period=form.cleaned_data.get("month"),
                dry_run=bool(request.POST.get("dry_run")),
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
            return self._render(request, kind, form, status=400)
        return self._render(request, kind, form, result=result, status=400 if result.errors else 200)


class DuesTemplateView(ScopedQuerysetMixin, View):
    model = DuesPayment

    def get(self, request: Any, kind: str) -> HttpResponse:
        if kind not in ("bases", "payments"):
            raise Http404
        from apps.core.spreadsheets import xlsx_file_response

        name = "党费基数导入模板.xlsx" if kind == "bases" else "党费交纳导入模板.xlsx"
        return xlsx_file_response(dues_import.template_bytes(kind), name)
