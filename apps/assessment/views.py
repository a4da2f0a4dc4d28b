"""Assessment pages: plans and their indicator tree, scoring, ranking (printable, Excel), score sheets,
appeals and duty reports. Rows come from visible_to; writes go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core.scoping import get_visible_or_404, user_scope_path
from apps.core.text import is_digits
from apps.core.views import (
    ListExportMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    ServiceFormView,
    field_columns,
    form_errors_from,
)

from . import exports, selectors, services
from .choices import PlanStatus
from .forms import (
    AppealAnswerForm,
    AppealForm,
    CopyPlanForm,
    DutyReportForm,
    DutyReviewForm,
    IndicatorForm,
    PlanForm,
    PointsForm,
    VetoForm,
    VotesForm,
)
from .models import Appeal, AssessmentPlan, AssessmentResult, DutyReport, Indicator


def _messages_from(request: Any, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


class PlanListView(ListExportMixin, ScopedListView):
    model = AssessmentPlan
    template_name = "assessment/plan_list.html"
    export_filename = gettext_lazy("考核方案")
    export_columns = field_columns(AssessmentPlan, ["year", "title", "organization", "status"])

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class PlanFormView(ServiceFormView):
    model = AssessmentPlan
    object_model = AssessmentPlan
    form_class = PlanForm
    template_name = "assessment/form.html"

    def get_permission_required(self) -> tuple[str, ...]:
        return ("assessment.change_assessmentplan",) if self.object else ("assessment.add_assessmentplan",)

    @property
    def title(self) -> str:  # type: ignore[override]
        return _("修改考核方案") if self.object else _("新建考核方案")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.object:
            kwargs["instance"] = self.object
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        from django.utils import timezone

        return {} if self.object else {"year": timezone.localdate().year, "scope_kinds": ["branch"]}

    def list_url(self) -> str:
        return reverse("assessment:plan_list")

    def run_service(self, form: Any) -> Any:
        data = {k: v for k, v in form.cleaned_data.items()}
        if self.object:
            return services.plan_update(acting_user=self.request.user, plan=self.object, **data)
        return services.plan_create(acting_user=self.request.user, organization=self.request.user.organization, **data)


class PlanDetailView(ScopedDetailView):
    model = AssessmentPlan
    template_name = "assessment/plan_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "copied_from")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .plans import plan_problems

        ctx = super().get_context_data(**kwargs)
        plan = self.object
        user = self.request.user
        manage = user.has_perm("assessment.change_assessmentplan") and plan.organization.path.startswith(
            user.organization.path if user.organization else ""
        )
        ctx.update(
            tree=selectors.indicator_tree(plan),
            problems=plan_problems(plan) if plan.status == PlanStatus.DRAFT and manage else [],
            job=selectors.latest_job(plan) if manage else None,
            counts=selectors.plan_counts(plan) if manage else None,
            own_result=selectors.own_result(user=user, plan=plan),
            manage=manage,
            can_publish=manage and user.has_perm("assessment.publish_assessmentplan"),
            copy_form=CopyPlanForm(initial={"year": plan.year + 1}),
            visit_titles=observation_visit_titles(plan),
        )
        return ctx


class PlanActionView(ScopedQuerysetMixin, View):
    """POST-only workflow steps on a plan: start scoring, compute, publish, copy."""

    model = AssessmentPlan
    permission_required = ("assessment.change_assessmentplan",)

    def post(self, request: Any, pk: int, action: str) -> HttpResponse:
        plan = get_visible_or_404(AssessmentPlan.objects.select_related("organization"), request.user, pk=pk)
        user = request.user
        target = plan.get_absolute_url()
        try:
            if action == "start":
                services.plan_start_scoring(acting_user=user, plan=plan)
                messages.success(request, _("已开始评分，考核对象已生成。"))
            elif action == "compute":
                services.plan_compute_start(acting_user=user, plan=plan)
                messages.success(request, _("已开始计算得分。"))
            elif action == "publish":
                services.plan_publish(acting_user=user, plan=plan)
                messages.success(request, _("考核结果已发布，等次已写入各党组织。"))
            elif action == "copy":
                form = CopyPlanForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请填写新方案年度。"))
                new = services.plan_copy(
                    acting_user=user, source=plan, year=form.cleaned_data["year"], title=form.cleaned_data["title"]
                )
                messages.success(request, _("已复制为新方案。"))
                target = new.get_absolute_url()
            else:
                raise Http404
        except ValidationError as exc:
            _messages_from(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(target)


class IndicatorFormView(ServiceFormView):
    model = AssessmentPlan
    object_model = AssessmentPlan
    permission_required = ("assessment.change_assessmentplan",)
    template_name = "assessment/form.html"
    form_class = IndicatorForm
    indicator: Indicator | None = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and "ind" in kwargs:
            self.indicator = get_visible_or_404(Indicator, request.user, pk=kwargs["ind"], plan_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self) -> str:  # type: ignore[override]
        return _("修改指标") if self.indicator else _("添加指标")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plan": self.object}

    def get_initial(self) -> dict[str, Any]:
        return IndicatorForm.initial_for(self.indicator) if self.indicator else {}

    def form_valid(self, form: Any) -> HttpResponse:
        fields = form.service_fields()
        if form.errors:
            return self.form_invalid(form)
        try:
            services.indicator_save(acting_user=self.request.user, plan=self.object, indicator=self.indicator, **fields)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("指标已保存。"))
        return HttpResponseRedirect(self.object.get_absolute_url())


class IndicatorDeleteView(ScopedQuerysetMixin, View):
    model = AssessmentPlan
    permission_required = ("assessment.change_assessmentplan",)

    def post(self, request: Any, pk: int, ind: int) -> HttpResponse:
        indicator = get_visible_or_404(Indicator.objects.select_related("plan__organization"), request.user, pk=ind,
                                       plan_id=pk)  # fmt: skip
        try:
            services.indicator_delete(acting_user=request.user, indicator=indicator)
        except ValidationError as exc:
            _messages_from(request, exc)
        return HttpResponseRedirect(indicator.plan.get_absolute_url())


#: a cached ranking page is keyed by the plan's recalculation; the time bound covers organization renames
RANKING_CACHE_SECONDS = 600


class RankingView(ScopedQuerysetMixin, TemplateView):
    """The plan's ranking: one page at a time by seek on screen (bounded whatever the page), whole on the print
    page and in Excel."""

    model = AssessmentResult
    permission_required = ("assessment.view_assessmentresult",)
    template_name = "assessment/ranking.html"
    printable = False

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.plan = get_visible_or_404(AssessmentPlan.objects.select_related("organization"), request.user,
                                           pk=kwargs["pk"])  # fmt: skip
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self) -> list[str]:
        return ["assessment/ranking_print.html"] if self.printable else [self.template_name]

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "xlsx":
            return exports.ranking_xlsx_response(self.plan, selectors.ranking(user=request.user, plan=self.plan))
        return super().get(request, *args, **kwargs)

    @staticmethod
    def _number(raw: str | None, field: str) -> int | None:
        if raw in (None, ""):
            return None
        text = str(raw).strip()
        if not is_digits(text) or len(text) > 9:
            raise Http404(_("「%(f)s」须为正整数。") % {"f": field})
        return int(text)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.plan
        if self.printable:
            ctx["object_list"] = selectors.ranking(user=self.request.user, plan=self.plan)
            return ctx
        page = self._number(self.request.GET.get("page"), _("页码")) or 1
        after = self._number(self.request.GET.get("after"), _("位置"))
        ranking = selectors.ranking_page(user=self.request.user, plan=self.plan, page=page, after=after)
        ctx["object_list"] = ranking["rows"]
        ctx["ranking"] = ranking
        version = (self.plan.summary or {}).get("version")
        if ranking["full"] and version:
            # everyone who sees the whole plan sees the same page: its rows are rendered once per recalculation
            key = f"assessment:ranking:{self.plan.pk}:{version}:{ranking['page']}"
            html = cache.get(key)
            if html is None:
                html = render_to_string("assessment/_ranking_table.html", {"results": ranking["rows"]})
                cache.set(key, html, RANKING_CACHE_SECONDS)
            ctx["ranking_html"] = mark_safe(html)  # our own autoescaped template output
        return ctx


class ResultDetailView(ScopedDetailView):
    """The score sheet of one organization, with the scoring forms while the plan is being scored."""

    model = AssessmentResult
    template_name = "assessment/result_detail.html"

    def get_queryset(self) -> QuerySet:
        # the sheet (item scores) is for the organization's own subtree and those above it, never siblings
        prefix = user_scope_path(self.request.user) or "/"
        return (
            AssessmentResult.objects.visible_to(self.request.user)
            .filter(org_path__startswith=prefix)
            .select_related("plan__organization", "organization")
        )

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "xlsx":
            self.object = self.get_object()
            return exports.score_sheet_xlsx_response(
                self.object, selectors.score_sheet(user=request.user, result=self.object)
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .results import grade_history

        ctx = super().get_context_data(**kwargs)
        result, user = self.object, self.request.user
        plan = result.plan
        can_score = (
            plan.status == PlanStatus.SCORING
            and user.has_perm("assessment.score_assessment")
            and plan.organization.path.startswith(user.organization.path if user.organization else "")
        )
        ctx.update(
            plan=plan,
            sheet=selectors.score_sheet(user=user, result=result),
            can_score=can_score,
            history=ctx.get("history"),
            grade_history=grade_history(user=user, organization=result.organization),
            appeals=list(Appeal.objects.visible_to(user).filter(result=result).select_related("indicator")),
            appeal_form=AppealForm(plan=plan)
            if plan.appeal_open
            and user.has_perm("assessment.add_appeal")
            and user.organization
            and user.organization.path.startswith(result.org_path)
            else None,
            can_consolidate=(
                plan.status == PlanStatus.PUBLISHED and result.grade == "lagging" and
                not result.marked_for_consolidation and user.has_perm("assessment.publish_assessmentplan")
                and user.organization_id != result.organization_id
            ),
        )  # fmt: skip
        return ctx


class ResultScoreView(ScopedQuerysetMixin, View):
    """POST one score on the sheet: rater points, manual points, votes or a veto."""

    model = AssessmentResult
    permission_required = ("assessment.score_assessment",)

    def post(self, request: Any, pk: int, kind: str) -> HttpResponse:
        result = get_visible_or_404(AssessmentResult.objects.select_related("plan__organization", "organization"),
                                    request.user, pk=pk)  # fmt: skip
        form_class = {"rater": PointsForm, "manual": PointsForm, "votes": VotesForm, "veto": VetoForm}.get(kind)
        if form_class is None:
            raise Http404
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errs in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))
            return HttpResponseRedirect(result.get_absolute_url())
        d = form.cleaned_data
        indicator = get_object_or_404(Indicator, pk=d.pop("indicator"), plan_id=result.plan_id)
        user = request.user
        try:
            if kind == "rater":
                services.rater_score_set(acting_user=user, result=result, indicator=indicator, **d)
            elif kind == "manual":
                services.item_score_set(acting_user=user, result=result, indicator=indicator, **d)
            elif kind == "votes":
                services.vote_tally_set(acting_user=user, result=result, indicator=indicator, **d)
            else:
                services.veto_set(acting_user=user, result=result, indicator=indicator, **d)
            messages.success(request, _("「%(name)s」已保存。") % {"name": indicator.name})
        except ValidationError as exc:
            _messages_from(request, exc)
        return HttpResponseRedirect(result.get_absolute_url() + f"#ind-{indicator.pk}")


class ResultConsolidationView(ScopedQuerysetMixin, View):
    model = AssessmentResult
    permission_required = ("assessment.publish_assessmentplan",)

    def post(self, request: Any, pk: int) -> HttpResponse:
        result = get_visible_or_404(AssessmentResult.objects.select_related("plan__organization", "organization"),
                                    request.user, pk=pk)  # fmt: skip
        try:
            services.result_mark_consolidation(acting_user=request.user, result=result)
            messages.success(request, _("已列入软弱涣散整顿。"))
        except ValidationError as exc:
            _messages_from(request, exc)
        return HttpResponseRedirect(result.get_absolute_url())


class AppealCreateView(ScopedQuerysetMixin, View):
    model = AssessmentResult
    permission_required = ("assessment.add_appeal",)

    def post(self, request: Any, pk: int) -> HttpResponse:
        result = get_visible_or_404(AssessmentResult.objects.select_related("plan", "organization"), request.user,
                                    pk=pk)  # fmt: skip
        form = AppealForm(request.POST, plan=result.plan)
        if form.is_valid():
            try:
                appeal = services.appeal_submit(acting_user=request.user, result=result, **form.cleaned_data)
                messages.success(request, _("申诉已提交，请等待答复。"))
                return HttpResponseRedirect(appeal.get_absolute_url())
            except ValidationError as exc:
                _messages_from(request, exc)
        else:
            messages.error(request, _("请填写申诉理由。"))
        return HttpResponseRedirect(result.get_absolute_url())


def _when(moment: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class AppealListView(ListExportMixin, ScopedListView):
    model = Appeal
    template_name = "assessment/appeal_list.html"
    export_filename = gettext_lazy("考核申诉")
    export_columns = [
        (gettext_lazy("党组织"), lambda a: a.result.organization.name),
        (gettext_lazy("考核方案"), lambda a: a.result.plan.title),
        (gettext_lazy("申诉指标"), lambda a: a.indicator.name if a.indicator_id else "总分/综合"),
        *field_columns(Appeal, ["status"]),
        (gettext_lazy("申诉时间"), lambda a: _when(a.submitted_at)),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("result__organization", "result__plan", "indicator")


class AppealDetailView(ScopedDetailView):
    model = Appeal
    template_name = "assessment/appeal_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("result__organization", "result__plan__organization", "indicator", "answered_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        appeal = self.object
        can_answer = (
            appeal.status == "open"
            and user.has_perm("assessment.answer_appeal")
            and user.organization_id != appeal.result.organization_id
        )
        ctx["form"] = kwargs.get("form") or (AppealAnswerForm() if can_answer else None)
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = AppealAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.appeal_answer(acting_user=request.user, appeal=self.object, **form.cleaned_data)
                messages.success(request, _("已答复。"))
                return HttpResponseRedirect(self.object.get_absolute_url())
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                form_errors_from(form, exc)
        return self.render_to_response(self.get_context_data(form=form))


class DutyReportListView(ListExportMixin, ScopedListView):
    model = DutyReport
    template_name = "assessment/dutyreport_list.html"
    export_filename = gettext_lazy("述职评议")
    export_columns = field_columns(DutyReport, ["year", "organization", "reporter_name", "status", "rating"])

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").defer("text")


class DutyReportFormView(ServiceFormView):
    model = DutyReport
    permission_required = ("assessment.add_dutyreport",)
    template_name = "assessment/form.html"
    form_class = DutyReportForm
    title = gettext_lazy("撰写述职报告")

    def get_initial(self) -> dict[str, Any]:
        from django.utils import timezone

        org = self.request.user.organization
        return {"year": timezone.localdate().year, "reporter_name": getattr(org, "secretary_name", ""),
                "title": _("%(org)s党组织书记抓基层党建工作述职报告") % {"org": getattr(org, "name", "")}}  # fmt: skip

    def list_url(self) -> str:
        return reverse("assessment:dutyreport_list")

    def run_service(self, form: Any) -> Any:
        return services.duty_report_save(
            acting_user=self.request.user, organization=self.request.user.organization, **form.cleaned_data
        )


class DutyReportDetailView(ScopedDetailView):
    model = DutyReport
    template_name = "assessment/dutyreport_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "reviewed_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, report = self.request.user, self.object
        can_review = (
            report.status == "submitted"
            and user.has_perm("assessment.review_dutyreport")
            and user.organization_id != report.organization_id
        )
        ctx["form"] = kwargs.get("form") or (DutyReviewForm() if can_review else None)
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = DutyReviewForm(request.POST)
        if form.is_valid():
            try:
                services.duty_report_review(acting_user=request.user, report=self.object, **form.cleaned_data)
                messages.success(request, _("评议结果已记录。"))
                return HttpResponseRedirect(self.object.get_absolute_url())
            except ValidationError as exc:
                form_errors_from(form, exc)
        return self.render_to_response(self.get_context_data(form=form))


class ComputeJobStatusView(ScopedQuerysetMixin, TemplateView):
    """The progress fragment a page polls while a computation runs."""

    model = AssessmentPlan
    template_name = "assessment/_job.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        plan = get_visible_or_404(AssessmentPlan, self.request.user, pk=kwargs["pk"])
        return {"job": selectors.latest_job(plan), "plan": plan}


def observation_visit_titles(plan: AssessmentPlan) -> dict[int, str]:
    """Titles of the 观摩活动 the plan's observation indicators rank by (the rule stores the visit's id)."""
    from apps.supervision.models import ObservationVisit

    ids = {(i.rule or {}).get("visit") for i in plan.indicators.filter(method="observation")} - {None}
    return dict(ObservationVisit.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}
