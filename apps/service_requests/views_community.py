"""Pages for micro-wishes (微心愿) and 双报到."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from apps.core.scoping import get_visible_or_404, org_in_scope
from apps.core.views import ListExportMixin, ScopedDetailView, ScopedListView, ServiceFormView

from . import forms, selectors, services
from .filters import MicroWishFilterSet, RegistrationFilterSet
from .models import CommunityRegistration, MicroWish, ServicePost, ServiceRecord


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


class WishListView(ListExportMixin, ScopedListView):
    model = MicroWish
    template_name = "service_requests/wish_list.html"
    filterset_class = MicroWishFilterSet
    export_filename = _("微心愿")
    export_columns = [
        (_("心愿"), lambda w: w.title),
        (_("发布社区"), lambda w: w.organization.name),
        (_("心愿人"), lambda w: w.beneficiary),
        (_("预算（元）"), lambda w: w.budget),
        (_("期望实现日期"), lambda w: _day(w.deadline)),
        (_("认领人/单位"), lambda w: w.claimant_name),
        (_("状态"), lambda w: w.get_status_display()),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = selectors.wish_counts(user=self.request.user)
        return ctx


class WishDetailView(ScopedDetailView):
    model = MicroWish
    template_name = "service_requests/wish_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "claimant_member", "claimant_org", "posted_by")


class _WishForm(ServiceFormView):
    model = MicroWish
    template_name = "service_requests/form.html"

    def list_url(self) -> str:
        return reverse("service_requests:wish_list")


class WishCreateView(_WishForm):
    permission_required = ("service_requests.add_microwish",)
    form_class = forms.WishForm
    title = _("发布微心愿")
    pass_user = True

    def run_service(self, form: Any) -> MicroWish:
        return services.wish_create(acting_user=self.request.user, **form.cleaned_data)


class WishClaimView(_WishForm):
    permission_required = ("service_requests.change_microwish",)
    object_model = MicroWish
    form_class = forms.WishClaimForm
    title = _("认领微心愿")

    def run_service(self, form: Any) -> MicroWish:
        return services.wish_claim(acting_user=self.request.user, wish=self.object, **form.cleaned_data)


class WishFulfilView(_WishForm):
    permission_required = ("service_requests.change_microwish",)
    object_model = MicroWish
    form_class = forms.WishFulfilForm
    title = _("登记心愿实现")

    def run_service(self, form: Any) -> MicroWish:
        return services.wish_fulfil(acting_user=self.request.user, wish=self.object, **form.cleaned_data)


class WishConfirmView(_WishForm):
    permission_required = ("service_requests.change_microwish",)
    object_model = MicroWish
    form_class = forms.NoteForm
    title = _("社区确认心愿已实现")

    def run_service(self, form: Any) -> MicroWish:
        return services.wish_confirm(acting_user=self.request.user, wish=self.object)


class WishEvidenceView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = ("service_requests.view_microwish",)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        wish = get_visible_or_404(MicroWish, request.user, pk=kwargs["pk"])
        if not wish.evidence:
            raise Http404
        return FileResponse(wish.evidence.open("rb"), as_attachment=True, filename=wish.evidence_name or "佐证")


class RegistrationListView(ListExportMixin, ScopedListView):
    model = CommunityRegistration
    template_name = "service_requests/registration_list.html"
    filterset_class = RegistrationFilterSet
    export_filename = _("双报到")
    export_columns = [
        (_("报到方"), lambda r: r.member.name if r.member else r.home_org.name),
        (_("报到类型"), lambda r: r.get_kind_display()),
        (_("所在党组织"), lambda r: r.home_org.name),
        (_("报到社区"), lambda r: r.organization.name),
        (_("认领岗位"), lambda r: r.post.name if r.post else ""),
        (_("报到日期"), lambda r: _day(r.registered_on)),
        (_("状态"), lambda r: r.get_status_display()),
        (_("备注"), lambda r: r.note),
    ]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "home_org", "member", "post")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        regs = list(ctx["object_list"])
        ctx["hours"] = selectors.registration_hours(registrations=regs)
        ctx["summary"] = selectors.registration_summary(user=self.request.user, root=self.request.user.organization)
        return ctx


class RegistrationDetailView(ScopedDetailView):
    model = CommunityRegistration
    template_name = "service_requests/registration_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "home_org", "member", "post")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        reg = self.object
        ctx["records"] = list(ServiceRecord.objects.filter(registration=reg).order_by("-served_on", "-id"))
        ctx["community_side"] = org_in_scope(self.request.user, reg.organization)
        ctx["posts"] = list(ServicePost.objects.filter(organization_id=reg.organization_id, is_active=True))
        return ctx


class _RegForm(ServiceFormView):
    model = CommunityRegistration
    template_name = "service_requests/form.html"

    def list_url(self) -> str:
        return reverse("service_requests:registration_list")


class RegistrationCreateView(_RegForm):
    permission_required = ("service_requests.add_communityregistration",)
    form_class = forms.RegistrationForm
    title = _("在职党员/单位到社区报到")
    pass_user = True

    def run_service(self, form: Any) -> CommunityRegistration:
        d = form.cleaned_data
        return services.registration_create(
            acting_user=self.request.user, community=d["community"], member=d.get("member"), unit=d.get("unit"),
            registered_on=d["registered_on"], note=d.get("note", ""),
        )  # fmt: skip


class RegistrationConfirmView(_RegForm):
    permission_required = ("service_requests.change_communityregistration",)
    object_model = CommunityRegistration
    form_class = forms.NoteForm
    title = _("社区确认报到")

    def run_service(self, form: Any) -> CommunityRegistration:
        return services.registration_confirm(acting_user=self.request.user, registration=self.object)


class RegistrationPostView(_RegForm):
    permission_required = ("service_requests.change_communityregistration",)
    object_model = CommunityRegistration
    form_class = forms.PostClaimForm
    title = _("认领公益性岗位")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "registration": self.object}

    def run_service(self, form: Any) -> CommunityRegistration:
        return services.registration_claim_post(
            acting_user=self.request.user, registration=self.object, post=form.cleaned_data["post"]
        )


class RecordCreateView(_RegForm):
    permission_required = ("service_requests.add_servicerecord",)
    object_model = CommunityRegistration
    form_class = forms.RecordForm
    title = _("登记服务记录")

    def run_service(self, form: Any) -> CommunityRegistration:
        services.record_add(acting_user=self.request.user, registration=self.object, **form.cleaned_data)
        return self.object


class RecordConfirmView(_RegForm):
    permission_required = ("service_requests.change_servicerecord",)
    object_model = ServiceRecord
    form_class = forms.NoteForm
    title = _("社区确认服务记录")

    def run_service(self, form: Any) -> Any:
        rec = services.record_confirm(acting_user=self.request.user, record=self.object)
        return rec.registration

    def cancel_url(self) -> str:
        return self.object.registration.get_absolute_url()


class PostCreateView(_RegForm):
    model = ServicePost
    permission_required = ("service_requests.add_servicepost",)
    form_class = forms.PostForm
    title = _("新增公益性岗位")

    def get_form(self, form_class: Any = None) -> Any:
        from apps.organizations.forms import OrganizationChoiceField

        form = super().get_form(form_class)
        form.fields = {"organization": OrganizationChoiceField(user=self.request.user, label=_("社区")), **form.fields}
        if not form.is_bound and self.request.user.organization is not None:
            form.initial.setdefault("organization", self.request.user.organization)
        return form

    def run_service(self, form: Any) -> None:
        services.post_create(acting_user=self.request.user, **form.cleaned_data)
        return None


def community_lookup(request: Any) -> HttpResponse:
    """Suggestions for the registration form's community picker (names of urban communities anywhere)."""
    from django.http import JsonResponse

    from .community import community_search

    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("请先登录。")}, status=401)
    if not request.user.has_perm("service_requests.add_communityregistration"):
        return JsonResponse({"detail": _("您的角色没有此项操作的权限。")}, status=403)
    rows = [
        {
            "id": o.pk,
            "code": o.code,
            "name": o.name,
            "parent": o.parent.name if o.parent_id else "",
            "kind": o.kind_label,
        }
        for o in community_search(q=request.GET.get("q", ""))
    ]
    return JsonResponse({"results": rows})
