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


class UserCreateForm(forms.Form):
    """Shape only: the role ceiling and scope are the service's to check."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=50,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -。")},
        help_text=_("登录时使用，如 zhangsan 或手机号"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(
        label=_("手机号"),
        max_length=11,
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请输入11位手机号。")},
    )
    organization = forms.ModelChoiceField(label=_("所属党组织"), queryset=None, empty_label=_("请选择党组织"))
    role = forms.ChoiceField(label=_("角色"))
    delivery = forms.ChoiceField(
        label=_("初始密码交付方式"),
        choices=[("screen", _("开通后在本页显示一次")), ("sms", _("短信发送到上面的手机号（不在页面显示）"))],
        initial="screen",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        from apps.organizations.models import Organization

        from .grants import role_choices_for
        from .password_sms import sms_available

        super().__init__(*args, **kwargs)
        if not sms_available():
            del self.fields["delivery"]
        self.fields["organization"].queryset = (
            Organization.objects.visible_to(user).filter(is_active=True).exclude(kind="party_group").order_by("path")
        )
        self.fields["organization"].label_from_instance = lambda o: ("　" * max(o.depth - user_depth(user), 0)) + o.name
        self.fields["role"].choices = [("", _("请选择角色")), *role_choices_for(user)]


def user_depth(user) -> int:
    org = getattr(user, "organization", None)
    return org.depth if org is not None else 0


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(
        label=_("手机号"),
        max_length=11,
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请输入11位手机号。")},
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False, max_length=254)
    role = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args, user, **kwargs):
        from .grants import role_choices_for

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(user)


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


class ProvisioningForm(forms.Form):
    organizations = forms.TypedMultipleChoiceField(label=_("支部"), coerce=int, choices=())
    by_sms = forms.BooleanField(
        label=_("短信发送初始密码（书记在党员信息中有有效手机号的，密码只发短信；其余仍列入一次性清单）"),
        required=False,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = [(c.organization_id, c.organization_name) for c in candidates]
        self.fields["organizations"].error_messages["required"] = _("请至少选择一个支部。")
        from .password_sms import sms_available

        if not sms_available():
            del self.fields["by_sms"]
