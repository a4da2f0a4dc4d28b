from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from apps.core.views import form_errors_from

from .forms import LoginForm, PasswordChangeForm
from .services import user_change_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logging out also revokes the user's API tokens (apps.accounts.apps: user_logged_out)."""


class PasswordChangeView(LoginRequiredMixin, FormView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = self.request.user
        try:
            user_change_password(
                acting_user=user,
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                exc = ValidationError({"new_password1": exc.messages})
            form_errors_from(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改。其他设备上的登录和 API 令牌已失效。"))
        return HttpResponseRedirect(reverse("core:home"))
