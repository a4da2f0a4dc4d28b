"""民主评议党员 pages: the list with counts per level, one branch's appraisal on one page, 不合格 handling."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits
from apps.core.views import ListExportMixin, ScopedDetailView, ScopedListView, ServiceFormView, field_columns
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin

from .. import appraisal as services
from ..appraisal_models import Appraisal, AppraisalEntry, AppraisalLevel, HandlingMeasure, HandlingOutcome
from .common import pick_org


class AppraisalListView(ListExportMixin, ScopedListView):
    model = Appraisal
    template_name = "members/appraisal_list.html"
    export_filename = gettext_lazy("民主评议党员")
    export_columns = field_columns(Appraisal, ["year", "organization", "status", "committee_on", "meeting_on"])

    def get_year(self) -> int:
        value = self.request.GET.get("year", "")
        return int(value) if is_digits(value, 4) else timezone.localdate().year - 1

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(year=self.get_year()).select_related("organization").order_by("org_path")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = pick_org(self.request)
        year = self.get_year()
        ctx.update(
            year=year, org=org, counts=services.appraisal_counts(user=self.request.user, root_path=org.path, year=year)
        )
        return ctx


class AppraisalOpenForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrganizationChoiceField(user=user, label=gettext_lazy("党支部")), **self.fields}
        self.fields["organization"].widget.attrs.setdefault("class", "form-control")
        self.initial.setdefault("year", timezone.localdate().year - 1)
        if user.organization_id:
            self.initial.setdefault("organization", user.organization)


class AppraisalOpenView(ServiceFormView):
    model = Appraisal
    permission_required = ("members.add_appraisal",)
    template_name = "members/form.html"
    form_class = AppraisalOpenForm
    pass_user = True
    title = gettext_lazy("开始民主评议党员")

    def list_url(self) -> str:
        return reverse("members:appraisal_list")

    def run_service(self, form: Any) -> Any:
        return services.appraisal_open(acting_user=self.request.user, **form.cleaned_data)


class AppraisalDetailView(ScopedDetailView):
    """One page for the whole branch: mutual votes, the committee's proposal, the general meeting's decision."""

    model = Appraisal
    template_name = "members/appraisal_detail.html"

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        entries = list(self.object.entries.select_related("member", "handling").order_by("member__name", "id"))
        ctx.update(
            entries=entries,
            levels=AppraisalLevel.choices,
            cap=services.max_excellent(len(entries)),
            can_edit=self.request.user.has_perm("members.change_appraisal") and self.object.status == "open",
            today=timezone.localdate(),
            errors=getattr(self, "errors", None),
        )
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.user.has_perm("members.change_appraisal"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        ids = [int(v) for v in request.POST.getlist("member") if is_digits(v)]
        step = request.POST.get("step")
        try:
            if step == "votes":
                votes = {
                    mid: tuple(_int(request.POST.get(f"{f}_{mid}")) for f in ("ve", "vq", "vb", "vu")) for mid in ids
                }
                services.appraisal_record_votes(acting_user=request.user, appraisal=self.object, votes=votes)
            elif step in ("propose", "decide"):
                prefix = "proposed" if step == "propose" else "final"
                levels = {mid: request.POST.get(f"{prefix}_{mid}", "") for mid in ids}
                levels = {k: v for k, v in levels.items() if v}
                on = _date(request.POST.get("on"))
                if step == "propose":
                    services.appraisal_propose(
                        acting_user=request.user, appraisal=self.object, levels=levels, committee_on=on
                    )
                else:
                    services.appraisal_decide(
                        acting_user=request.user, appraisal=self.object, levels=levels, meeting_on=on
                    )
        except ValidationError as exc:
            self.errors = (
                [m for msgs in exc.message_dict.values() for m in msgs] if hasattr(exc, "error_dict") else exc.messages
            )
            return self.render_to_response(self.get_context_data(object=self.object), status=400)
        done = {"votes": _("已录入测评票数。"), "propose": _("已提出建议等次。"), "decide": _("已评定。")}
        messages.success(request, done.get(step, _("已保存。")))
        return HttpResponseRedirect(self.object.get_absolute_url())


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except ValueError as exc:
        raise ValidationError({"votes": _("测评票数应为整数。")}) from exc


def _date(value: Any) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError as exc:
        raise ValidationError({"on": _("请填写会议日期。")}) from exc


class HandlingForm(StyledFormMixin, forms.Form):
    measure = forms.ChoiceField(label=gettext_lazy("处置方式"), choices=HandlingMeasure.choices)
    proposed_on = forms.DateField(label=gettext_lazy("提出日期"), widget=forms.DateInput())
    deadline = forms.DateField(label=gettext_lazy("改正期限"), required=False, widget=forms.DateInput())
    outcome = forms.ChoiceField(label=gettext_lazy("结果"), choices=HandlingOutcome.choices, required=False)
    outcome_on = forms.DateField(label=gettext_lazy("结果日期"), required=False, widget=forms.DateInput())
    reported_on = forms.DateField(label=gettext_lazy("报上级党组织日期"), required=False, widget=forms.DateInput())
    note = forms.CharField(label=gettext_lazy("情况说明"), required=False, max_length=300)


class HandlingView(ServiceFormView):
    model = AppraisalEntry
    object_model = AppraisalEntry
    permission_required = ("members.change_appraisal",)
    template_name = "members/form.html"
    form_class = HandlingForm
    title = gettext_lazy("不合格党员处置")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("appraisal__organization", "member")

    def get_initial(self) -> dict[str, Any]:
        handling = getattr(self.object, "handling", None)
        if handling is None:
            return {"proposed_on": timezone.localdate()}
        return {f: getattr(handling, f) for f in HandlingForm.base_fields}

    def cancel_url(self) -> str:
        return self.object.appraisal.get_absolute_url()

    def run_service(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        data["outcome"] = data.get("outcome") or ""
        services.unqualified_handling_record(acting_user=self.request.user, entry=self.object, **data)
        return self.object.appraisal


class SelfAssessmentForm(StyledFormMixin, forms.Form):
    self_assessment = forms.CharField(
        label=gettext_lazy("个人自评"),
        max_length=services.SELF_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("对照党员标准，从理想信念、学习、组织生活、作用发挥、遵规守纪等方面总结一年的表现。"),
    )
    self_assessed_on = forms.DateField(
        label=gettext_lazy("自评日期"), widget=forms.DateInput(), initial=timezone.localdate
    )


class SelfAssessmentView(ServiceFormView):
    """个人自评 of one line of an appraisal: the member themself, or the branch entering a paper form."""

    model = AppraisalEntry
    object_model = AppraisalEntry
    permission_required = ()  # who may enter is the service's rule (may_self_assess), checked in dispatch
    template_name = "members/appraisal_self.html"
    form_class = SelfAssessmentForm
    title = gettext_lazy("民主评议个人自评")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("appraisal__organization", "member")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            entry = get_visible_or_404(self.optimize_object_qs(AppraisalEntry), request.user, pk=kwargs["pk"])
            if not services.may_self_assess(request.user, entry):
                raise PermissionDenied(_("只有党员本人或负责民主评议的支部可以填写个人自评。"))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        initial = {"self_assessed_on": self.object.self_assessed_on or timezone.localdate()}
        if self.object.self_assessment:
            initial["self_assessment"] = self.object.self_assessment
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        appraisal = self.object.appraisal
        ctx.update(
            appraisal=appraisal,
            entry=self.object,
            is_self=self.request.user.member_id == self.object.member_id,
            editable=services.self_assessment_open(appraisal),
            rule=services.SELF_RULE,
        )
        return ctx

    def cancel_url(self) -> str:
        if self.request.user.has_perm("members.view_appraisal"):
            return self.object.appraisal.get_absolute_url()
        return reverse("core:home")

    def run_service(self, form: Any) -> Any:
        services.appraisal_record_self(
            acting_user=self.request.user,
            appraisal=self.object.appraisal,
            member_id=self.object.member_id,
            text=form.cleaned_data["self_assessment"],
            on=form.cleaned_data["self_assessed_on"],
        )
        return None

    def success_url_for(self, result: Any) -> str:
        return reverse("members:appraisal_self", args=[self.object.pk])
