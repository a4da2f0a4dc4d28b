"""本单位设置 → 组织生活日: the organization's own fixed day (or the one it inherits), with the coming dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core.periods import Period
from apps.core.scoping import org_in_scope_or_own
from apps.core.views import form_errors_from

from .. import life_day
from ..life_day_models import WEEKDAYS, WEEKS, LifeDayRule


class LifeDayForm(forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("规则"), choices=LifeDayRule.choices, widget=forms.RadioSelect)
    week = forms.TypedChoiceField(label=gettext_lazy("第几个"), coerce=int, required=False, empty_value=None,
                                  choices=[("", gettext_lazy("请选择…")), *WEEKS])  # fmt: skip
    weekday = forms.TypedChoiceField(label=gettext_lazy("星期几"), coerce=int, required=False, empty_value=None,
                                     choices=[("", gettext_lazy("请选择…")), *WEEKDAYS])  # fmt: skip
    day = forms.IntegerField(label=gettext_lazy("每月几日（按日期时填写，1至28）"), required=False)
    postpone_on_holiday = forms.BooleanField(label=gettext_lazy("遇法定节假日顺延至下一个工作日"), required=False,
                                             initial=True)  # fmt: skip


class LifeDaySettingsView(LoginRequiredMixin, FormView):
    template_name = "responsibility/settings_life_day.html"
    form_class = LifeDayForm

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            if not request.user.has_perm("responsibility.change_orglifeday"):
                raise PermissionDenied(_("您的角色不能设置组织生活日。"))
            # a staff member sets it for an organization below (in scope, else 404), or for their own
            code = request.GET.get("org") or request.POST.get("org") or ""
            self.organization = org_in_scope_or_own(request.user, code)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        self.setting, self.own = life_day.effective_for(self.organization)
        if self.setting is None:
            return {"rule": LifeDayRule.WEEKDAY, "postpone_on_holiday": True}
        return {name: getattr(self.setting, name) for name in life_day.FIELDS}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        upcoming = []
        if self.setting is not None:
            period = Period.current()
            for _i in range(6):
                upcoming.append(life_day.label(life_day.date_in(self.setting, period)))
                period = period.next()
        ctx.update(organization=self.organization, setting=self.setting, own=self.own, upcoming=upcoming,
                   org_param=self.request.GET.get("org") or self.request.POST.get("org") or "")  # fmt: skip
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.get_initial()
        if "clear" in request.POST:
            life_day.life_day_clear(acting_user=request.user, organization=self.organization)
            messages.success(request, _("已取消本单位的设置，改按上级的组织生活日执行。"))
            return HttpResponseRedirect(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> Any:
        try:
            life_day.life_day_set(acting_user=self.request.user, organization=self.organization,
                                  data=form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("组织生活日已保存。"))
        return HttpResponseRedirect(self.request.get_full_path())
