from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.core.views import form_errors_from

from . import services
from .forms import LoginForm, PasswordChangeForm
from .selectors import active_sessions, recent_logins


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logging out also revokes the user's API tokens (apps.accounts.apps: user_logged_out)."""


class PasswordChangeView(LoginRequiredMixin, FormView):
    """Change one's own password; also where a first login (or a reset) is sent before anything else."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def form_valid(self, form: Any) -> Any:
        user = self.request.user
        try:
            services.user_change_password(
                acting_user=user,
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        services.user_end_sessions(user=user, keep=self.request.session.session_key)
        messages.success(self.request, _("密码已修改。其他设备上的登录和 API 令牌已失效。"))
        return HttpResponseRedirect(reverse("accounts:my_account"))


class MyAccountView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/my_account.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["logins"] = recent_logins(user=self.request.user)
        ctx["sessions"] = active_sessions(user=self.request.user)
        ctx["current_session"] = self.request.session.session_key
        return ctx


class EndOtherSessionsView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: Any) -> Any:
        n = services.user_end_sessions(user=request.user, keep=request.session.session_key)
        messages.success(request, _("已退出其他 %(n)s 处登录。") % {"n": n})
        return HttpResponseRedirect(reverse("accounts:my_account"))
