"""Account management pages (账号管理): list, open, edit, reset, unlock, deactivate, hand over, provision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core.export_jobs import ExportSpec, export_response
from apps.core.models import AuditLog
from apps.core.pii import phone_for
from apps.core.scoping import get_visible_or_404
from apps.core.spreadsheets import xlsx_response
from apps.core.views import ScopedListView, ServiceFormView, form_errors_from

from . import password_sms, provisioning, services
from .filters import UserFilterSet
from .forms import ProvisioningForm, UserCreateForm, UserEditForm
from .grants import can_manage, can_manage_accounts
from .models import ProvisioningBatch, User
from .selectors import is_stale_secretary, stale_secretary_accounts, user_list


class AccountManagerMixin(LoginRequiredMixin):
    """The account pages are for those who may hand out roles (system admins, department and committee staff)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_manage_accounts(request.user):
            raise PermissionDenied(_("您的角色不能管理账号。"))
        return super().dispatch(request, *args, **kwargs)


class UserListView(AccountManagerMixin, ScopedListView):
    model = User
    template_name = "accounts/user_list.html"
    filterset_class = UserFilterSet
    permission_required = ("accounts.view_user",)

    def get_queryset(self) -> Any:
        self.filterset = UserFilterSet(
            self.request.GET or None, queryset=user_list(user=self.request.user), request=self.request
        )
        if self.filterset.is_bound:
            return self.filterset.qs if self.filterset.is_valid() else User.objects.none()
        return self.filterset.queryset

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.GET.get("export") == "xlsx":
            return export_response(request, spec=self.export_spec(), permission=",".join(self.permission_required))
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> ExportSpec:
        """The list's filters as .xlsx: at once when small, else a background job (apps/core/export_jobs.py),
        which rebuilds this view for the same user — so the role check is repeated here."""
        viewer = self.request.user
        if not can_manage_accounts(viewer):
            raise PermissionDenied(_("您的角色不能管理账号。"))
        qs = self.get_queryset()

        def row(u: User) -> list[Any]:
            return [
                u.username,
                u.get_full_name(),
                u.get_role_display() if u.role else "",
                u.organization.name if u.organization else "",
                phone_for(viewer, u.phone),
                _("启用") if u.is_active else _("停用"),
                u.last_login.strftime("%Y-%m-%d %H:%M") if u.last_login else _("从未登录"),
            ]

        return ExportSpec(
            title=_("账号清单"),
            filename="账号清单.xlsx",
            sheet=_("账号清单"),
            headers=[_("用户名"), _("姓名"), _("角色"), _("所属党组织"), _("手机号"), _("状态"), _("最近登录")],
            rows=(row(u) for u in qs.iterator(chunk_size=2000)),
            total=qs.count(),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        names = [u.username for u in ctx["object_list"]]
        ctx["locked"] = services.locked_usernames(names)
        ctx["stale_count"] = stale_secretary_accounts(user=self.request.user).count()
        ctx["stale_ids"] = set(
            stale_secretary_accounts(user=self.request.user)
            .filter(pk__in=[u.pk for u in ctx["object_list"]])
            .values_list("pk", flat=True)
        )
        return ctx


class UserCreateView(AccountManagerMixin, ServiceFormView):
    model = User
    form_class = UserCreateForm
    template_name = "accounts/user_form.html"
    permission_required = ("accounts.view_user",)
    pass_user = True
    title = gettext_lazy("开通账号")
    success_message = ""

    def list_url(self) -> str:
        return reverse("accounts:user_list")

    def run_service(self, form: Any) -> Any:
        if form.cleaned_data.get("delivery") == "sms":
            user = password_sms.user_create_with_sms(
                acting_user=self.request.user,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                display_name=form.cleaned_data["display_name"],
                phone=form.cleaned_data["phone"],
            )
            messages.success(self.request, _("已开通账号“%(u)s”，初始密码已交由短信发送。") % {"u": user.username})
            self.sent_by_sms = True
            return user
        password = services.generate_password()
        user = services.user_create(
            acting_user=self.request.user,
            username=form.cleaned_data["username"],
            password=password,
            role=form.cleaned_data["role"],
            organization=form.cleaned_data["organization"],
            display_name=form.cleaned_data["display_name"],
            phone=form.cleaned_data["phone"],
            validate_password=False,
        )
        self.request.session["one_time_password"] = {"user": user.pk, "password": password}
        messages.success(self.request, _("已开通账号“%(u)s”。") % {"u": user.username})
        return user

    def success_url_for(self, result: Any) -> str:
        if getattr(self, "sent_by_sms", False):
            return reverse("accounts:user_detail", args=[result.pk])
        return reverse("accounts:user_password_shown", args=[result.pk])


def _managed_user(request: Any, pk: int) -> User:
    target = get_visible_or_404(user_list(user=request.user), request.user, pk=pk)
    return target


class UserDetailView(AccountManagerMixin, TemplateView):
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        target = _managed_user(self.request, kwargs["pk"])
        ctx.update(
            account=target,
            phone=phone_for(self.request.user, target.phone),
            locked=bool(services.locked_usernames([target.username])),
            stale=is_stale_secretary(target),
            manageable=can_manage(self.request.user, target),
            sms_ready=password_sms.sms_available(),
            sms_phone_ok=bool(password_sms.normalize_mobile(target.phone)),
            password_sms=password_sms.sms_status([target.pk]).get(target.pk),
            history=AuditLog.objects.visible_to(self.request.user)
            .for_object(target)
            .select_related("content_type")[:30],
        )
        return ctx


class UserEditView(AccountManagerMixin, ServiceFormView):
    model = User
    form_class = UserEditForm
    template_name = "accounts/user_form.html"
    permission_required = ("accounts.view_user",)
    pass_user = True
    title = gettext_lazy("修改账号")
    success_message = gettext_lazy("已保存。")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.object = _managed_user(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        o = self.object
        return {"display_name": o.display_name, "phone": o.phone, "email": o.email, "role": o.role}

    def run_service(self, form: Any) -> Any:
        return services.user_update(acting_user=self.request.user, user=self.object, data=form.cleaned_data)


class UserActionView(AccountManagerMixin, View):
    """POST-only actions on one account; each calls one service."""

    http_method_names = ["post"]
    action = ""

    def post(self, request: Any, pk: int) -> Any:
        target = _managed_user(request, pk)
        detail = reverse("accounts:user_detail", args=[target.pk])
        try:
            if self.action == "reset_sms":
                password_sms.user_reset_password_by_sms(acting_user=request.user, user=target)
                messages.success(request, _("已重置密码，临时密码已交由短信发送，不在页面显示。"))
                return HttpResponseRedirect(detail)
            if self.action == "reassign_sms":
                password_sms.user_reassign_by_sms(acting_user=request.user, user=target)
                messages.success(request, _("已将账号移交现任书记，初始密码已交由短信发送。"))
                return HttpResponseRedirect(detail)
            if self.action == "reset":
                password = services.user_reset_password(acting_user=request.user, user=target)
                request.session["one_time_password"] = {"user": target.pk, "password": password}
                messages.success(request, _("已重置密码。"))
                return HttpResponseRedirect(reverse("accounts:user_password_shown", args=[target.pk]))
            if self.action == "reassign":
                _user, password = services.user_reassign_to_secretary(acting_user=request.user, user=target)
                request.session["one_time_password"] = {"user": target.pk, "password": password}
                messages.success(request, _("已将账号移交现任书记。"))
                return HttpResponseRedirect(reverse("accounts:user_password_shown", args=[target.pk]))
            if self.action == "unlock":
                services.user_unlock(acting_user=request.user, user=target)
                messages.success(request, _("已解除锁定。"))
            elif self.action == "deactivate":
                services.user_set_active(acting_user=request.user, user=target, active=False)
                messages.success(request, _("已停用账号。"))
            elif self.action == "activate":
                services.user_set_active(acting_user=request.user, user=target, active=True)
                messages.success(request, _("已启用账号。"))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(detail)


class PasswordShownView(AccountManagerMixin, View):
    """Shows a just-set initial password exactly once (it lives in the actor's session until shown)."""

    def get(self, request: Any, pk: int) -> Any:
        target = _managed_user(request, pk)
        held = request.session.pop("one_time_password", None)
        password = held["password"] if held and held.get("user") == target.pk else None
        return render(request, "accounts/user_password.html", {"account": target, "password": password})


class ProvisioningView(AccountManagerMixin, TemplateView):
    """Preview the branches whose secretary has no account yet, then open them all in one step."""

    template_name = "accounts/provisioning.html"

    def _root(self) -> Any:
        from apps.organizations.models import Organization

        code = (self.request.GET.get("org") or self.request.POST.get("org") or "").strip()
        if code:
            return get_visible_or_404(Organization, self.request.user, code=code)
        typed = (self.request.GET.get("org_search") or "").strip()
        if typed:  # a name typed in the picker without choosing a suggestion (or without JavaScript)
            org = Organization.objects.visible_to(self.request.user).filter(name=typed).order_by("path").first()
            if org is None:
                raise Http404(_("未找到，或不在您的管理范围内。"))
            return org
        root = self.request.user.organization
        if root is None:
            raise Http404
        return root

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        root = self._root()
        candidates = provisioning.provisioning_candidates(acting_user=self.request.user, root=root)
        ctx.update(
            root=root,
            candidates=candidates[: provisioning.MAX_BATCH],
            too_many=len(candidates) > provisioning.MAX_BATCH,
            form=kwargs.get("form") or ProvisioningForm(candidates=candidates),
            batches=ProvisioningBatch.objects.visible_to(self.request.user).select_related("created_by")[:10],
        )
        return ctx

    def post(self, request: Any) -> Any:
        root = self._root()
        candidates = provisioning.provisioning_candidates(acting_user=request.user, root=root)
        form = ProvisioningForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                batch = provisioning.provisioning_commit(
                    acting_user=request.user,
                    root=root,
                    organization_ids=form.cleaned_data["organizations"],
                    by_sms=bool(form.cleaned_data.get("by_sms")),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("已开通 %(n)s 个支部书记账号。") % {"n": batch.account_count})
                return HttpResponseRedirect(batch.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class ProvisioningBatchView(AccountManagerMixin, TemplateView):
    template_name = "accounts/provisioning_batch.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        batch = get_visible_or_404(ProvisioningBatch.objects.select_related("organization"), self.request.user,
                                   pk=kwargs["pk"])  # fmt: skip
        ctx["batch"] = batch
        accounts = list(user_list(user=self.request.user).filter(provisioned_in=batch).select_related("organization"))
        status = password_sms.sms_status([u.pk for u in accounts]) if batch.sms_count else {}
        for u in accounts:
            u.password_sms = status.get(u.pk)
        ctx["accounts"] = accounts
        ctx["sms_failed"] = sum(1 for s in status.values() if s.failed)
        ctx["sms_sent"] = sum(1 for s in status.values() if s.status == "sent")
        return ctx


class ProvisioningDownloadView(AccountManagerMixin, View):
    http_method_names = ["post"]

    def post(self, request: Any, pk: int) -> Any:
        batch = get_visible_or_404(ProvisioningBatch.objects.select_related("organization"), request.user, pk=pk)
        try:
            lines = provisioning.provisioning_take_passwords(acting_user=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(batch.get_absolute_url())
        return xlsx_response(
            filename=f"支部书记初始密码-{batch.pk}.xlsx",
            sheet=_("初始密码"),
            headers=[_("支部"), _("组织代码"), _("书记"), _("用户名"), _("初始密码")],
            rows=lines,
        )
