from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from apps.core.files import ScopedFileView
from apps.core.periods import Period
from apps.core.scoping import user_root
from apps.core.views import (
    ListExportMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    field_columns,
    form_errors_from,
)
from apps.organizations.models import Organization

from . import exports, selectors, services
from .filters import AccountabilityFilterSet, InspectionPlanFilterSet, LetterPageFilterSet
from .forms import (
    AccountabilityDecideForm,
    AccountabilityOpenForm,
    FindingForm,
    InspectionPlanForm,
    InspectionRecordForm,
    LetterAnswerForm,
    LetterCloseForm,
    LetterCreateForm,
    ObservationScoreForm,
    ObservationVisitForm,
)
from .models import Accountability, InspectionPlan, InspectionRecord, Letter, LetterAttachment, ObservationVisit


class LetterListView(ListExportMixin, ScopedListView):
    model = Letter
    template_name = "supervision/letter_list.html"
    filterset_class = LetterPageFilterSet
    export_filename = _("三函")
    export_columns = [
        (_("文号"), lambda letter: letter.number_display),
        *field_columns(Letter, ["kind", "title", "addressee", "issuer", "period", "issued_on"]),
        *field_columns(Letter, ["response_deadline", "status", "item_count", "answered_at", "closed_at"]),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer", "addressee").defer("body", "answer")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


class LetterDetailView(ScopedDetailView):
    model = Letter
    template_name = "supervision/letter_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer", "addressee", "read_by", "answered_by", "closed_by").prefetch_related(
            "items", "attachments"
        )

    def get_object(self, queryset: QuerySet | None = None) -> Letter:
        letter = super().get_object(queryset)
        return services.letter_mark_read(user=self.request.user, letter=letter)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, letter = self.request.user, self.object
        ctx["can_answer"] = (
            user.organization_id == letter.addressee_id
            and letter.status != "closed"
            and user.has_perm("supervision.answer_letter")
        )
        from apps.core.scoping import org_in_scope

        ctx["can_close"] = (
            letter.status != "closed"
            and user.has_perm("supervision.close_letter")
            and org_in_scope(user, letter.issuer)
        )
        ctx["can_open_case"] = (
            letter.kind == "warning"
            and user.has_perm("supervision.add_accountability")
            and user.organization_id != letter.addressee_id
        )
        ctx["accountability_form"] = kwargs.get("accountability_form") or AccountabilityOpenForm()
        ctx["cases"] = list(letter.accountabilities.all())
        ctx["answer_form"] = kwargs.get("answer_form") or LetterAnswerForm()
        ctx["close_form"] = kwargs.get("close_form") or LetterCloseForm()
        return ctx


class LetterPrintView(LetterDetailView):
    template_name = "supervision/letter_print.html"


class _LetterActionView(LetterDetailView):
    """POST handlers that re-render the detail page with the form's errors."""

    permission = ""
    form_class: Any = None
    form_key = ""
    done_message = _("已保存。")

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.run(form)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, self.done_message)
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(**{self.form_key: form}))

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.get_object().get_absolute_url())


class LetterAnswerView(_LetterActionView):
    permission_required = ("supervision.answer_letter",)
    form_class = LetterAnswerForm
    form_key = "answer_form"
    done_message = _("已答复。")

    def run(self, form: Any) -> None:
        files = self.request.FILES.getlist("files")
        services.letter_answer(
            acting_user=self.request.user, letter=self.object, answer=form.cleaned_data["answer"], files=files
        )


class LetterCloseView(_LetterActionView):
    permission_required = ("supervision.close_letter",)
    form_class = LetterCloseForm
    form_key = "close_form"
    done_message = _("已办结。")

    def run(self, form: Any) -> None:
        services.letter_close(acting_user=self.request.user, letter=self.object, note=form.cleaned_data["note"])


class LetterAccountabilityView(_LetterActionView):
    """Open an accountability case from a warning letter (问责 follows a warning)."""

    permission_required = ("supervision.add_accountability",)
    form_class = AccountabilityOpenForm
    form_key = "accountability_form"
    done_message = _("已立案。")

    def run(self, form: Any) -> None:
        letter = self.object
        if letter.kind != "warning":
            raise ValidationError({"basis": _("只有预警函可以直接启动问责。")})
        self.case = services.accountability_create(
            acting_user=self.request.user,
            organization=letter.addressee,
            period=letter.period,
            basis=form.cleaned_data["basis"],
            letters=[letter],
        )


class LetterCreateView(ScopedQuerysetMixin, FormView):
    model = Letter
    permission_required = ("supervision.issue_letter",)
    template_name = "supervision/form.html"
    form_class = LetterCreateForm
    extra_context = {"title": _("人工发函")}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"period": str(Period.current())}
        code = self.request.GET.get("addressee")
        if code:
            org = Organization.objects.visible_to(self.request.user).filter(code=code).first()
            if org:
                from apps.core.due_items import collect_due_items

                kind = self.request.GET.get("kind", "supervision")
                initial.update(addressee=org.code, kind=kind)
                items = collect_due_items(
                    period=Period.current(),
                    stage=kind if kind in ("reminder", "supervision", "warning") else "supervision",
                    root_path=org.path,
                )
                initial["items"] = "\n".join(i.title for i in items if i.organization_id == org.pk)
        return initial

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            letter = services.letter_create_manual(
                acting_user=self.request.user,
                issuer=self.request.user.organization,
                addressee=data["addressee"],
                kind=data["kind"],
                period=data["period"],
                items=data["items"].splitlines(),
                response_days=data["response_days"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("函件已发出。"))
        return HttpResponseRedirect(letter.get_absolute_url())


class AccountabilityListView(ListExportMixin, ScopedListView):
    model = Accountability
    template_name = "supervision/accountability_list.html"
    filterset_class = AccountabilityFilterSet
    export_filename = _("问责")
    export_columns = field_columns(
        Accountability,
        ["organization", "issuer", "period", "kind", "status", "basis", "decision", "decided_on", "is_automatic"],
    )

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer", "organization")


class AccountabilityDetailView(ScopedDetailView):
    model = Accountability
    template_name = "supervision/accountability_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer", "organization").prefetch_related("letters")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or AccountabilityDecideForm()
        ctx["can_decide"] = self.request.user.has_perm("supervision.change_accountability")
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("supervision.change_accountability"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        self.object = self.get_object()
        form = AccountabilityDecideForm(request.POST)
        if form.is_valid():
            try:
                services.accountability_decide(
                    acting_user=request.user, accountability=self.object, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("已作出处理决定。"))
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class InspectionListView(ListExportMixin, ScopedListView):
    model = InspectionPlan
    template_name = "supervision/inspection_list.html"
    filterset_class = InspectionPlanFilterSet
    export_filename = _("督查计划")
    export_columns = [
        *field_columns(InspectionPlan, ["topic", "organization", "period", "start_on", "end_on", "target_root"]),
        (_("组织类别"), lambda p: p.target_kinds_display),
        (_("督查方式"), lambda p: p.methods_display),
        *field_columns(InspectionPlan, ["status"]),
    ]

    def get_queryset(self) -> QuerySet:
        qs = selectors.inspection_plan_list(user=self.request.user)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else qs


class InspectionCreateView(ScopedQuerysetMixin, FormView):
    model = InspectionPlan
    permission_required = ("supervision.add_inspectionplan",)
    template_name = "supervision/form.html"
    form_class = InspectionPlanForm
    extra_context = {"title": _("新建督查计划")}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"period": str(Period.current())}

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            plan = services.inspection_plan_create(
                acting_user=self.request.user, organization=self.request.user.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("督查计划已创建。"))
        return HttpResponseRedirect(plan.get_absolute_url())


class InspectionDetailView(ScopedDetailView):
    model = InspectionPlan
    template_name = "supervision/inspection_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "target_root").prefetch_related("inspectors")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["records"] = selectors.inspection_records_for(user=self.request.user, plan=self.object)[:500]
        return ctx


class RecordDetailView(ScopedDetailView):
    model = InspectionRecord
    template_name = "supervision/record_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("plan", "plan__organization", "target", "inspector").prefetch_related("findings")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        r = self.object
        ctx["record_form"] = kwargs.get("record_form") or InspectionRecordForm(
            initial={"summary": r.summary, "inspected_on": r.inspected_on or timezone.localdate(), "score": r.score}
        )
        ctx["finding_form"] = kwargs.get("finding_form") or FindingForm()
        ctx["can_edit"] = self.request.user.has_perm("supervision.change_inspectionrecord")
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        which = request.POST.get("form")
        if which == "finding":
            form, key = FindingForm(request.POST), "finding_form"
        else:
            form, key = InspectionRecordForm(request.POST), "record_form"
        if form.is_valid():
            try:
                if which == "finding":
                    services.finding_create(acting_user=request.user, record=self.object, **form.cleaned_data)
                else:
                    services.inspection_record_update(acting_user=request.user, record=self.object, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                done = _("已登记问题，并列入问题清单。") if which == "finding" else _("督查情况已保存。")
                messages.success(request, done)
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(**{key: form}))


class ObservationListView(ListExportMixin, ScopedListView):
    model = ObservationVisit
    template_name = "supervision/observation_list.html"
    export_filename = _("观摩活动")
    export_columns = field_columns(ObservationVisit, ["title", "organization", "period", "visit_on"])

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class ObservationCreateView(ScopedQuerysetMixin, FormView):
    model = ObservationVisit
    permission_required = ("supervision.add_observationvisit",)
    template_name = "supervision/form.html"
    form_class = ObservationVisitForm
    extra_context = {"title": _("新建观摩活动")}

    def get_initial(self) -> dict[str, Any]:
        return {"period": str(Period.current())}

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            visit = services.observation_visit_create(
                acting_user=self.request.user, organization=self.request.user.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(visit.get_absolute_url())


class ObservationDetailView(ScopedDetailView):
    model = ObservationVisit
    template_name = "supervision/observation_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["ranking"] = selectors.observation_ranking(user=self.request.user, visit=self.object)
        ctx["form"] = kwargs.get("form") or ObservationScoreForm(user=self.request.user)
        ctx["can_score"] = self.request.user.has_perm("supervision.add_observationscore")
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = ObservationScoreForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.observation_score_set(acting_user=request.user, visit=self.object, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class BulletinView(ScopedQuerysetMixin, TemplateView):
    """月通报 for an issuer (default: the user's organization) and a month."""

    model = Letter
    template_name = "supervision/bulletin.html"

    def get_bulletin(self) -> dict[str, Any]:
        user = self.request.user
        code = self.request.GET.get("issuer")
        typed = (self.request.GET.get("issuer_search") or "").strip()  # typed in the picker, not chosen
        if code or typed:
            orgs = Organization.objects.visible_to(user)
            issuer = orgs.filter(code=code).first() if code else orgs.filter(name=typed).first()
            if issuer is None:
                raise Http404(_("未找到，或不在您的管理范围内。"))
        else:
            issuer = user_root(user)
            if issuer is None:
                raise Http404
        try:
            period = Period.parse(self.request.GET.get("period") or str(Period.current()))
        except ValidationError:
            period = Period.current()
        return selectors.monthly_bulletin(user=user, issuer=issuer, period=period)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        bulletin = self.get_bulletin()
        if request.GET.get("format") == "xlsx":
            return exports.bulletin_xlsx_response(bulletin)
        if request.GET.get("format") == "print":
            self.template_name = "supervision/bulletin_print.html"
            back = f"?period={bulletin['period']}&issuer={bulletin['issuer'].code}"
            return self.render_to_response(self.get_context_data(b=bulletin, today=timezone.localdate(), back_url=back))
        return self.render_to_response(self.get_context_data(b=bulletin))


class LetterAttachmentDownloadView(ScopedFileView):
    """An answer's attachment, only for users who can see the letter (404 otherwise)."""

    model = LetterAttachment
    permission_model = Letter
