from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.core.files import ScopedFileView
from apps.core.pii import can_see_full_pii
from apps.core.scoping import get_visible_or_404
from apps.core.views import (
    ListExportMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    ServiceFormView,
    field_columns,
)

from . import recruitment as recruitment_services
from . import selectors, services, transfers
from .choices import STAGE_ORDER, TransferStatus
from .filters import MemberFilterSet, RecruitmentFilterSet, TransferFilterSet, looks_like_id_number
from .forms import (
    MemberContactForm,
    MemberForm,
    MemberStatusForm,
    RecruitmentAdvanceForm,
    RecruitmentCreateForm,
    RecruitmentDocumentForm,
    RecruitmentExtendForm,
    RecruitmentStopForm,
    RecruitmentUpdateForm,
    TransferApproveForm,
    TransferRequestForm,
    TransferReturnForm,
)
from .models import Member, Recruitment, RecruitmentDocument, Transfer
from .yearly_selectors import member_yearly_panel

# --- roster ---------------------------------------------------------------------------------------------


class MemberListView(ScopedListView):
    model = Member
    template_name = "members/member_list.html"
    filterset_class = MemberFilterSet
    paginate_by = 50

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        # An ID number never stays in the address (history, logs, Referer): swap it for its keyed hash.
        q = request.GET.get("q", "")
        if q and looks_like_id_number(q.strip().replace("\u3000", "")):
            from .crypto import blind_index
            from .validators import normalize_id_number

            query = request.GET.copy()
            query.pop("q")
            query["idh"] = blind_index(normalize_id_number(q.strip().replace("\u3000", "")))
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        qs, self.filterset = selectors.member_list_filtered(
            user=self.request.user, data=self.request.GET, request=self.request
        )
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        ctx["rows"] = selectors.roster_rows(ctx["object_list"], user=self.request.user)
        ctx["can_reveal"] = can_see_full_pii(self.request.user)
        return ctx


class MemberDetailView(ScopedDetailView):
    model = Member
    template_name = "members/member_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "party_group")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["timeline"] = selectors.member_timeline(user=user, member=self.object)
        ctx["can_reveal"] = can_see_full_pii(user)
        ctx["can_edit"] = user.has_perm("members.change_member") or user.has_perm("members.change_member_contact")
        ctx.update(member_yearly_panel(member=self.object))
        return ctx


class MemberRevealIdView(ScopedQuerysetMixin, View):
    """POST → the full ID number (an htmx fragment); audited in the service."""

    model = Member

    def post(self, request: Any, pk: int) -> HttpResponse:
        member = get_visible_or_404(Member, request.user, pk=pk)
        number = services.member_reveal_id_number(acting_user=request.user, member=member)
        return HttpResponse(f'<span class="font-monospace" id="id-number-full">{number}</span>')


class _ServiceFormView(ServiceFormView):
    template_name = "members/form.html"

    def list_url(self) -> str:
        return reverse("members:member_list")


class MemberCreateView(_ServiceFormView):
    model = Member
    permission_required = ("members.add_member",)
    form_class = MemberForm
    title = _("新增党员")
    success_message = _("已新增党员。")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form: Any) -> Member:
        data = dict(form.cleaned_data)
        org, id_number = data.pop("organization"), data.pop("id_number")
        return services.member_create(acting_user=self.request.user, organization=org, id_number=id_number, **data)


class MemberUpdateView(_ServiceFormView):
    """Full edit for roster staff; phone / unit / position / party group for branch secretaries."""

    model = Member
    object_model = Member

    def has_permission(self) -> bool:
        user = self.request.user
        return user.has_perm("members.change_member") or user.has_perm("members.change_member_contact")

    @property
    def full_edit(self) -> bool:
        return self.request.user.has_perm("members.change_member")

    def get_form_class(self) -> Any:
        return MemberForm if self.full_edit else MemberContactForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Member.objects.select_related("organization", "party_group").get(pk=self.object.pk)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("编辑党员信息") if self.full_edit else _("修改联系信息")
        return ctx

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.full_edit and can_see_full_pii(request.user):
            # the edit form shows the full ID number: that is a full view, audited like the reveal button
            services.member_reveal_id_number(acting_user=request.user, member=self.object)
        return super().get(request, *args, **kwargs)

    def run_service(self, form: Any) -> Member:
        data = dict(form.cleaned_data)
        if self.full_edit and (not data.get("id_number") or data.get("id_number") == self.object.id_number):
            data.pop("id_number", None)
        return services.member_update(acting_user=self.request.user, member=self.object, **data)


class MemberStatusView(_ServiceFormView):
    model = Member
    object_model = Member
    permission_required = ("members.change_member",)
    form_class = MemberStatusForm
    title = _("变更党籍状态")
    success_message = _("已变更党籍状态。")

    def run_service(self, form: Any) -> Member:
        return services.member_change_status(acting_user=self.request.user, member=self.object, **form.cleaned_data)


# --- recruitment ----------------------------------------------------------------------------------------


class RecruitmentListView(ListExportMixin, ScopedListView):
    model = Recruitment
    template_name = "members/recruitment_list.html"
    filterset_class = RecruitmentFilterSet
    export_filename = _("发展党员")
    # No ID numbers or phones here: the recruitment export is a progress list, not a roster.
    export_columns = field_columns(
        Recruitment,
        [
            "name", "gender", "organization", "stage", "applied_on", "activist_on", "candidate_on",
            "political_review_conclusion", "training_hours",
        ],
    )  # fmt: skip

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").order_by("-applied_on", "-id")


class RecruitmentDetailView(ScopedDetailView):
    model = Recruitment
    template_name = "members/recruitment_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "member").prefetch_related(
            "contacts", "introducers", "documents", "reviews", "votes"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rec = self.object
        ctx["warnings"] = recruitment_services.recruitment_warnings(rec)
        ctx["stages"] = STAGE_ORDER
        idx = STAGE_ORDER.index(rec.stage) if rec.stage in STAGE_ORDER else -1
        ctx["next_stage"] = STAGE_ORDER[idx + 1] if 0 <= idx < len(STAGE_ORDER) - 1 else None
        ctx["stage_index"] = idx
        return ctx


class RecruitmentCreateView(_ServiceFormView):
    model = Recruitment
    permission_required = ("members.add_recruitment",)
    form_class = RecruitmentCreateForm
    title = _("登记入党申请人")
    success_message = _("已登记。")

    def list_url(self) -> str:
        return reverse("members:recruitment_list")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form: Any) -> Recruitment:
        data = dict(form.cleaned_data)
        org, name, id_number, applied_on = (
            data.pop("organization"),
            data.pop("name"),
            data.pop("id_number"),
            data.pop("applied_on"),
        )
        return recruitment_services.recruitment_create(
            acting_user=self.request.user,
            organization=org,
            name=name,
            id_number=id_number,
            applied_on=applied_on,
            **data,
        )


class RecruitmentUpdateView(_ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.change_recruitment",)
    form_class = RecruitmentUpdateForm
    title = _("填写发展党员各环节")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Recruitment.objects.get(pk=self.object.pk)
        kwargs["user"] = self.request.user
        return kwargs

    def run_service(self, form: Any) -> Recruitment:
        data = dict(form.cleaned_data)
        contacts, introducers = list(data.pop("contacts")), list(data.pop("introducers"))
        return recruitment_services.recruitment_update(
            acting_user=self.request.user,
            recruitment=self.object,
            contacts=contacts or None,
            introducers=introducers or None,
            **data,
        )


class RecruitmentAdvanceView(_ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.change_recruitment",)
    form_class = RecruitmentAdvanceForm
    title = _("推进发展阶段")
    success_message = _("已推进到下一阶段。")

    def get_initial(self) -> dict[str, Any]:
        idx = STAGE_ORDER.index(self.object.stage) if self.object.stage in STAGE_ORDER else -1
        return {"to_stage": STAGE_ORDER[idx + 1]} if 0 <= idx < len(STAGE_ORDER) - 1 else {}

    def run_service(self, form: Any) -> Recruitment:
        return recruitment_services.recruitment_advance(
            acting_user=self.request.user, recruitment=self.object, to_stage=form.cleaned_data["to_stage"]
        )


class RecruitmentExtendView(_ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.change_recruitment",)
    form_class = RecruitmentExtendForm
    title = _("延长预备期")
    success_message = _("已延长预备期。")

    def run_service(self, form: Any) -> Recruitment:
        return recruitment_services.recruitment_extend_probation(
            acting_user=self.request.user, recruitment=self.object, **form.cleaned_data
        )


class RecruitmentDocumentView(_ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.change_recruitment",)
    form_class = RecruitmentDocumentForm
    template_name = "members/form_upload.html"
    title = _("上传发展党员材料")
    success_message = _("已上传。")

    def get_initial(self) -> dict[str, Any]:
        return {"stage": self.object.stage}

    def run_service(self, form: Any) -> Recruitment:
        recruitment_services.recruitment_add_document(
            acting_user=self.request.user, recruitment=self.object, **form.cleaned_data
        )
        return self.object


class RecruitmentStopView(_ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.change_recruitment",)
    form_class = RecruitmentStopForm
    title = _("终止发展 / 取消预备党员资格")
    success_message = _("已终止。")

    def run_service(self, form: Any) -> Recruitment:
        return recruitment_services.recruitment_stop(
            acting_user=self.request.user,
            recruitment=self.object,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["note"],
        )


# --- transfers ------------------------------------------------------------------------------------------


class TransferListView(ListExportMixin, ScopedListView):
    model = Transfer
    template_name = "members/transfer_list.html"
    filterset_class = TransferFilterSet
    export_filename = _("组织关系转接")
    export_columns = field_columns(
        Transfer,
        [
            "member__name", "kind", "from_org", "to_org", "outside_destination", "status", "letter_number",
            "valid_until", "requested_at", "approved_at", "closed_at",
        ],
    )  # fmt: skip

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("member", "from_org", "to_org")


class TransferDetailView(ScopedDetailView):
    model = Transfer
    template_name = "members/transfer_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("member", "from_org", "to_org", "requested_by", "approved_by", "closed_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.core.scoping import org_in_scope

        ctx = super().get_context_data(**kwargs)
        t, user = self.object, self.request.user
        can = user.has_perm("members.change_transfer")
        sender = org_in_scope(user, t.from_org)
        receiver = t.to_org is not None and org_in_scope(user, t.to_org)
        ctx["can_approve"] = can and sender and t.status == TransferStatus.REQUESTED
        ctx["can_cancel"] = can and sender and t.status in (TransferStatus.REQUESTED, TransferStatus.APPROVED)
        ctx["can_receive"] = can and receiver and t.status == TransferStatus.APPROVED
        return ctx


class TransferLetterView(TransferDetailView):
    """组织关系介绍信 with its stub, for printing (only once the sending side has issued it)."""

    template_name = "members/transfer_letter.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.http import Http404

        ctx = super().get_context_data(**kwargs)
        t = self.object
        if not t.letter_number:
            raise Http404(_("介绍信尚未开具。"))
        ctx["back_url"] = t.get_absolute_url()
        ctx["age"] = t.member.age_on(t.approved_at.date()) if t.approved_at else None
        return ctx


class TransferCreateView(_ServiceFormView):
    """Started from a member's page: /members/<member pk>/transfer/."""

    success_message = _("已提交转接申请。")

    model = Transfer
    object_model = Member
    permission_required = ("members.add_transfer",)
    form_class = TransferRequestForm
    title = _("申请组织关系转接")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form: Any) -> Transfer:
        return transfers.transfer_request(acting_user=self.request.user, member=self.object, **form.cleaned_data)


class TransferApproveView(_ServiceFormView):
    model = Transfer
    object_model = Transfer
    permission_required = ("members.change_transfer",)
    form_class = TransferApproveForm
    title = _("转出方审批并开具介绍信")
    success_message = _("已审批，介绍信已开具。")

    def run_service(self, form: Any) -> Transfer:
        return transfers.transfer_approve(acting_user=self.request.user, transfer=self.object, **form.cleaned_data)


class TransferReturnView(_ServiceFormView):
    model = Transfer
    object_model = Transfer
    permission_required = ("members.change_transfer",)
    form_class = TransferReturnForm
    title = _("退回组织关系转接")
    success_message = _("已退回。")

    def run_service(self, form: Any) -> Transfer:
        return transfers.transfer_return(
            acting_user=self.request.user, transfer=self.object, reason=form.cleaned_data["return_reason"]
        )


class _TransferActionView(ScopedQuerysetMixin, View):
    model = Transfer
    permission_required = ("members.change_transfer",)
    action: Any = None

    def post(self, request: Any, pk: int) -> HttpResponse:
        transfer = get_visible_or_404(Transfer, request.user, pk=pk)
        try:
            type(self).action(acting_user=request.user, transfer=transfer)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已办理。"))
        return HttpResponseRedirect(transfer.get_absolute_url())


class TransferReceiveView(_TransferActionView):
    action = transfers.transfer_receive


class TransferCancelView(_TransferActionView):
    action = transfers.transfer_cancel


# --- deadlines ------------------------------------------------------------------------------------------


class DeadlinesView(ScopedQuerysetMixin, TemplateView):
    """Upcoming deadlines: probation ends, activist year completed, transfer letters expiring."""

    model = Member
    template_name = "members/deadlines.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["today"] = timezone.localdate()
        ctx["lists"] = selectors.deadline_lists(user=user, within_days=60, today=ctx["today"])
        return ctx


class RecruitmentDocumentDownloadView(ScopedFileView):
    """A recruitment document (申请书, 政审材料 … personal data): scoped, a download, each fetch audited."""

    model = RecruitmentDocument
    permission_model = Recruitment
    filename_attr = None
    audit_event = "recruitmentdocument.download"
