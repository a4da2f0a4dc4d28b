"""Pages of the request pipeline and the rates page. Micro-wishes and 双报到 are in views_community.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedDetailView, ScopedListView, ServiceFormView
from apps.organizations.models import Organization

from . import exports, forms, selectors, services
from .filters import ServiceRequestFilterSet
from .keyset import keyset_page
from .models import ServiceRequest, ServiceStep
from .pii import can_see_requester, requester_reveal, requester_view
from .ranges import parse_range, range_label
from .stats import subtree_rates
from .workflow import follow_up_window_passed


class RequestListView(ScopedListView):
    """Scoped, filtered, newest first, paged by keyset cursors (``?after=`` / ``?before=``; no OFFSET, no
    COUNT over the subtree): one query for the rows whatever the page."""

    model = ServiceRequest
    template_name = "service_requests/request_list.html"
    filterset_class = ServiceRequestFilterSet
    paginate_by = None
    per_page = 25

    def get_queryset(self) -> QuerySet:
        qs = selectors.request_list(user=self.request.user)
        self.filterset = ServiceRequestFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        if self.filterset.is_bound:
            qs = self.filterset.qs if self.filterset.is_valid() else qs.none()
        return qs

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            from apps.core.export_jobs import export_response

            return export_response(
                request, spec=self.export_spec(), permission=",".join(self.get_permission_required())
            )
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> Any:
        """The list's filters as .xlsx (masked); rebuilt by the background job for a large list."""
        return exports.requests_spec(self.get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        get = self.request.GET
        filters = getattr(self.filterset, "form", None)
        data = filters.cleaned_data if filters is not None and hasattr(filters, "cleaned_data") else {}
        page = keyset_page(
            selectors.request_list_page_qs(self.object_list), after=get.get("after", ""),
            before=get.get("before", ""), per_page=self.per_page,
            selective=bool(data.get("timing")) or data.get("status") == "suspended",
        )  # fmt: skip
        ctx = super().get_context_data(**{**kwargs, "object_list": page.rows})
        ctx["today"] = today = timezone.localdate()
        ctx["rows"] = selectors.request_list_rows(page.rows, today=today)
        ctx["keyset"] = page
        query = get.copy()
        for key in ("page", "after", "before"):
            query.pop(key, None)
        ctx["querystring"] = query.urlencode()
        return ctx


class RequestDetailView(ScopedDetailView):
    model = ServiceRequest
    template_name = "service_requests/request_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related(
            "organization", "origin_org", "category", "category__parent", "assignee_org", "assignee_member",
            "duplicate_of", "created_by",
        )  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, req = self.request.user, self.object
        if self.request.GET.get("reveal") == "1" and can_see_requester(user):
            ctx["requester"] = requester_reveal(acting_user=user, request=req)
        else:
            ctx["requester"] = requester_view(user, req)
        ctx["can_reveal"] = can_see_requester(user)
        ctx["steps"] = selectors.request_timeline(req=req)
        ctx["can_act"] = selectors.can_act(user, req)
        ctx["can_decide"] = selectors.can_decide_suspension(user, req)
        ctx["actions"] = _available_actions(req, ctx["can_act"], ctx["can_decide"])
        ctx["today"] = timezone.localdate()
        ctx["badges"] = selectors.STATUS_BADGE
        return ctx


def _available_actions(req: ServiceRequest, can_act: bool, can_decide: bool) -> list[tuple[str, str]]:
    if not can_act:
        return []
    s = req.status
    out = []
    for name, (_form, label, allowed, _fn) in ACTIONS.items():
        if name == "decide":
            if can_decide and req.suspension_pending:
                out.append((name, label))
            continue
        if name == "suspend" and req.suspension_pending:
            continue
        if s == "answered" and name in ("follow_up", "close") and (name == "close") != follow_up_window_passed(req):
            continue  # within the window: 回访 only; past it: 关闭 (超期未回访) only
        if s in allowed:
            out.append((name, label))
    return out


class RequestCreateView(ServiceFormView):
    model = ServiceRequest
    permission_required = ("service_requests.add_servicerequest",)
    form_class = forms.RequestRegisterForm
    template_name = "service_requests/form.html"
    title = _("登记服务事项")
    pass_user = True
    success_message = _("已登记。")

    def list_url(self) -> str:
        return reverse("service_requests:request_list")

    def run_service(self, form: Any) -> ServiceRequest:
        return services.request_register(acting_user=self.request.user, **form.cleaned_data)


# name -> (form class, label, statuses in which it is offered, service call)
ACTIONS: dict[str, tuple[Any, Any, list[str], Any]] = {
    "accept": (forms.NoteForm, _("受理"), ["registered"],
               lambda u, r, d: services.request_accept(acting_user=u, request=r, note=d.get("note", ""))),
    "assign": (forms.AssignForm, _("分派"), ["accepted", "assigned", "in_progress"],
               lambda u, r, d: services.request_assign(acting_user=u, request=r, **d)),
    "start": (forms.NoteForm, _("开始办理"), ["assigned"],
              lambda u, r, d: services.request_start(acting_user=u, request=r, note=d.get("note", ""))),
    "answer": (forms.AnswerForm, _("办结"), ["accepted", "assigned", "in_progress"],
               lambda u, r, d: services.request_answer(acting_user=u, request=r, **d)),
    "follow_up": (forms.FollowUpForm, _("回访"), ["answered"],
                  lambda u, r, d: services.request_follow_up(acting_user=u, request=r, **d)),
    "close": (forms.NoteForm, _("关闭"), ["followed_up", "answered"],
              lambda u, r, d: services.request_close(acting_user=u, request=r, note=d.get("note", ""))),
    "transfer": (forms.TransferForm, _("转办"), ["registered", "accepted", "assigned", "in_progress"],
                 lambda u, r, d: services.request_transfer(acting_user=u, request=r, **d)),
    "escalate": (forms.RequiredNoteForm, _("上报"), ["registered", "accepted", "assigned", "in_progress"],
                 lambda u, r, d: services.request_escalate(acting_user=u, request=r, note=d["note"])),
    "suspend": (forms.SuspendForm, _("申请挂起"), ["accepted", "assigned", "in_progress"],
                lambda u, r, d: services.request_suspend(acting_user=u, request=r, reason=d["reason"])),
    "decide": (forms.DecideForm, _("审批挂起"), [],
               lambda u, r, d: services.request_suspension_decide(acting_user=u, request=r, **d)),
    "resume": (forms.NoteForm, _("恢复办理"), ["suspended"],
               lambda u, r, d: services.request_resume(acting_user=u, request=r, note=d.get("note", ""))),
}  # fmt: skip


class RequestActionView(ServiceFormView):
    """One page per transition (受理, 分派, 办结, 回访 …): a short form, then the service."""

    model = ServiceRequest
    object_model = ServiceRequest
    permission_required = ("service_requests.change_servicerequest",)
    template_name = "service_requests/form.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs["action"] not in ACTIONS:
            raise Http404
        self.action = kwargs["action"]
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return ACTIONS[self.action][0]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        form_class = self.get_form_class()
        if form_class in (forms.AssignForm, forms.TransferForm):
            kwargs["user"] = self.request.user
        if form_class is forms.AssignForm:
            kwargs["request_obj"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = ACTIONS[self.action][1]
        return ctx

    def run_service(self, form: Any) -> ServiceRequest:
        return ACTIONS[self.action][3](self.request.user, self.object, form.cleaned_data)


class StepAttachmentView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Evidence files are served only through this scoped view, always as a download."""

    permission_required = ("service_requests.view_servicerequest",)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        step = get_visible_or_404(ServiceStep, request.user, pk=kwargs["pk"])
        if not step.attachment:
            raise Http404
        return FileResponse(step.attachment.open("rb"), as_attachment=True, filename=step.attachment_name or "附件")


class StatsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """总业务量、响应率、按时办结率、满意率… for any subtree in scope and any range of months."""

    permission_required = ("service_requests.view_servicerequest",)
    template_name = "service_requests/stats.html"

    def root_and_range(self) -> tuple[Organization, datetime.date, datetime.date]:
        user, get = self.request.user, self.request.GET
        code = (get.get("org") or get.get("org_search") or "").strip()  # the picker's code, or a typed name
        if code:
            root = Organization.objects.visible_to(user).filter(code=code).first()
            if root is None:
                try:  # a name typed without picking: the one organization in scope it names
                    root = forms.StatsForm(user=user).fields["org"].to_python(code)
                except ValidationError:
                    root = None
            if root is None:
                raise Http404(_("未找到，或不在您的管理范围内。"))
        else:
            root = user.organization or Organization.objects.filter(parent__isnull=True).order_by("id").first()
            if root is None:
                raise Http404
        self.range_errors: dict[str, list[str]] = {}
        try:
            start, end = parse_range(get)
        except ValidationError as exc:  # shown on the form; the default range is used meanwhile
            self.range_errors = exc.message_dict
            start, end = parse_range({})
        return root, start, end

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            root, start, end = self.root_and_range()
            if self.range_errors:
                return HttpResponse("；".join(m for v in self.range_errors.values() for m in v), status=400,
                                    content_type="text/plain; charset=utf-8")  # fmt: skip
            return exports.rates_xlsx(
                root=root, data=subtree_rates(root=root, start=start, end=end), start=start, end=end
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        root, start, end = self.root_and_range()
        ctx.update(root=root, start=start, end=end, data=subtree_rates(root=root, start=start, end=end))
        ctx["range_label"] = range_label(start, end)
        range_q = f"from={start:%Y-%m-%d}&to={end:%Y-%m-%d}"
        form = forms.StatsForm(
            self.request.GET if self.range_errors else None,
            user=self.request.user,
            initial={"org": root, "from": f"{start:%Y-%m-%d}", "to": f"{end:%Y-%m-%d}"},
        )
        for name, messages in self.range_errors.items():
            if name in ("start", "end"):
                name = "from" if name == "start" else "to"
            for m in messages:
                form.add_error(name, m)
        ctx["form"] = form
        ctx["range_query"] = range_q
        ctx["querystring"] = f"org={root.code}&{range_q}"
        return ctx
