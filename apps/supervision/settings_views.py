"""本单位设置 pages of supervision: the issuer's letter rule and its letter wording, with a rendered preview."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core.periods import Period
from apps.core.scoping import org_in_scope_or_own
from apps.core.views import form_errors_from

from . import rule_settings
from .choices import LetterKind
from .models import LetterRule


class LetterRuleForm(forms.ModelForm):
    doc_prefix = forms.CharField(
        label=gettext_lazy("发文机关代字"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("函件文号的机关代字，如“东组”，文号即为“东组函〔2026〕3号”；不填则文号只有年份和序号。"),
    )

    class Meta:
        model = LetterRule
        fields = ["doc_prefix", *rule_settings.RULE_FIELDS]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_prefix"].initial = self.instance.issuer.doc_prefix
        if not user.has_perm("organizations.change_organization"):
            self.fields["doc_prefix"].disabled = True  # the organization's record: its keepers only


#: the rule page's sections: the number's code word, the switch, one per letter kind, then answers and accountability
RULE_GROUPS = [
    (gettext_lazy("文号"), ["doc_prefix"]),
    (gettext_lazy("自动发函"), ["is_active"]),
    (gettext_lazy("提示函"), ["reminder_enabled", "reminder_day"]),
    (gettext_lazy("督办函"), ["supervision_enabled", "supervision_day"]),
    (gettext_lazy("预警函"), ["warning_enabled", "warning_day", "warning_requires_supervision"]),
    (gettext_lazy("答复与问责"), ["response_days", "warning_threshold", "warning_window_months"]),
]


class _SettingsMixin(LoginRequiredMixin):
    perm = ""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm(self.perm):
            raise PermissionDenied(_("您的角色不能修改本单位的三函设置。"))
        return super().dispatch(request, *args, **kwargs)


class LetterRuleSettingsView(_SettingsMixin, FormView):
    template_name = "supervision/settings_letter_rule.html"
    form_class = LetterRuleForm
    perm = "supervision.change_letterrule"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        self.issuer = org_in_scope_or_own(self.request.user)
        kwargs["instance"] = rule_settings.letter_rule_for(self.issuer)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "form" not in kwargs:  # the form first: it is what finds the issuer (a GET used to fail here)
            kwargs["form"] = self.get_form()
        rule = rule_settings.letter_rule_for(self.issuer)
        period = Period.current().next()
        form = kwargs["form"]
        return super().get_context_data(
            issuer=self.issuer,
            groups=[(legend, [form[name] for name in names]) for legend, names in RULE_GROUPS],
            schedule=rule_settings.schedule_of(rule, period) if rule.is_active else [],
            schedule_period=period,
            number_sample=rule_settings.number_sample(self.issuer.doc_prefix, period.year),
            **kwargs,
        )

    def form_valid(self, form: Any) -> Any:
        data = {name: form.cleaned_data[name] for name in rule_settings.RULE_FIELDS}
        if not form.fields["doc_prefix"].disabled:
            data["doc_prefix"] = form.cleaned_data["doc_prefix"]
        try:
            rule_settings.letter_rule_update(acting_user=self.request.user, issuer=self.issuer, data=data)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("三函规则已保存。"))
        return HttpResponseRedirect(reverse("supervision:letter_rule_settings"))


class LetterTemplateForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    body = forms.CharField(
        label=gettext_lazy("正文"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"})
    )


class LetterTemplateSettingsView(_SettingsMixin, FormView):
    template_name = "supervision/settings_letter_template.html"
    form_class = LetterTemplateForm
    perm = "supervision.change_lettertemplate"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.kind = kwargs.get("kind") or LetterKind.REMINDER
        if self.kind not in LetterKind.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        self.issuer = org_in_scope_or_own(self.request.user)
        title, body, self.is_own = rule_settings.letter_template_for(self.issuer, self.kind)
        return {"title": rule_settings.placeholders_display(title), "body": rule_settings.placeholders_display(body)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        values = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
        ctx.update(
            issuer=self.issuer,
            kind=self.kind,
            kinds=[(k, LetterKind(k).label) for k in LetterKind.values],
            kind_label=LetterKind(self.kind).label,
            is_own=self.is_own,
            placeholders=rule_settings.placeholder_help(),
            preview=rule_settings.letter_template_preview(
                title=values.get("title", ""), body=values.get("body", ""), issuer=self.issuer
            ),
        )
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.get_initial()
        if "reset" in request.POST:
            rule_settings.letter_template_reset(acting_user=request.user, issuer=self.issuer, kind=self.kind)
            messages.success(request, _("已恢复默认措辞。"))
            return HttpResponseRedirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> Any:
        try:
            for field in ("title", "body"):
                rule_settings.validate_template_text(form.cleaned_data[field], field)
            if "preview" in self.request.POST:
                return self.render_to_response(self.get_context_data(form=form))
            rule_settings.letter_template_update(
                acting_user=self.request.user, issuer=self.issuer, kind=self.kind, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("函件模板已保存。"))
        return HttpResponseRedirect(self.request.path)
