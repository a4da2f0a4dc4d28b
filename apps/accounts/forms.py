from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。注意：连续多次输入错误，账号将在本机被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
        help_text=_("至少8位，不能全是数字，不能与用户名相近，不能是常见密码。"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data
