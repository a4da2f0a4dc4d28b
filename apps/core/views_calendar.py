"""工作日历 pages (root administrators): a year's holidays and make-up working days with their source, add one
day, paste a year's list, remove a day. Writes go through ``calendar_settings``."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from . import calendar_settings as svc
from .root_tables import RootAdminRequiredMixin
from .views import form_errors_from

LIST_URL = "core:work_calendar_settings"


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("日期：请选择日期。"),
            "invalid": gettext_lazy("日期：请按 2027-02-06 的格式填写日期。"),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        choices=svc.KIND_CHOICES,
        error_messages={"required": gettext_lazy("类型：请选择放假或调休上班。")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("节日名称，例如 春节"),
        error_messages={"max_length": gettext_lazy("说明：不能超过100字。")},
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("依据：不能超过200字。")},
    )


class CalendarImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("放假安排"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "每行一条，例如：2月6日至14日 放假 春节；2月20日 上班 春节调休。放假期间的周末会自动略过。"
        ),
        error_messages={"required": gettext_lazy("放假安排：请粘贴放假安排，每行一条。")},
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("依据：不能超过200字。")},
    )
    replace = forms.BooleanField(label=gettext_lazy("替换该年度已登记的安排"), required=False)


def _year(request: Any) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


class WorkCalendarView(RootAdminRequiredMixin, TemplateView):
    template_name = "core/work_calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = _year(self.request)
        rows = [
            {"row": r, "weekday": svc.weekday_label(r.date), "kind": _("调休上班") if r.is_workday else _("放假")}
            for r in svc.year_days(year)
        ]
        kwargs.setdefault("form", CalendarDayForm(initial={"source": svc.default_source(year)}))
        kwargs.setdefault("import_form", CalendarImportForm(initial={"source": svc.default_source(year)}))
        return super().get_context_data(
            title=_("工作日历"),
            year=year,
            rows=rows,
            holidays=sum(1 for r in rows if not r["row"].is_workday),
            workdays=sum(1 for r in rows if r["row"].is_workday),
            **kwargs,
        )

    def post(self, request: Any) -> Any:
        year = _year(request)
        back = f"{reverse(LIST_URL)}?year={year}"
        if request.POST.get("action") == "import":
            form = CalendarImportForm(request.POST)
            if form.is_valid():
                try:
                    result = svc.calendar_import(
                        acting_user=request.user,
                        year=year,
                        text=form.cleaned_data["text"],
                        source=form.cleaned_data["source"],
                        replace=form.cleaned_data["replace"],
                    )
                except ValidationError as exc:
                    form_errors_from(form, exc)
                else:
                    messages.success(
                        request,
                        _("已导入：登记%(w)d天，删除%(r)d天（放假期间的周末%(s)d天无须登记）。")
                        % {"w": result["written"], "r": result["removed"], "s": result["skipped_weekends"]},
                    )
                    return HttpResponseRedirect(back)
            return self.render_to_response(self.get_context_data(import_form=form), status=400)
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.calendar_day_add(
                    acting_user=request.user, date=data["date"], kind=data["kind"], note=data["note"],
                    source=data["source"],
                )  # fmt: skip
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return HttpResponseRedirect(f"{reverse(LIST_URL)}?year={data['date'].year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WorkCalendarDeleteView(RootAdminRequiredMixin, TemplateView):
    template_name = "core/work_calendar_delete.html"

    def _date(self) -> datetime.date:
        try:
            return datetime.date.fromisoformat(self.kwargs["date"])
        except ValueError:
            raise Http404 from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .models import WorkCalendarDay

        row = WorkCalendarDay.objects.filter(date=self._date()).first()
        if row is None:
            raise Http404
        return super().get_context_data(
            title=_("工作日历"), row=row, weekday=svc.weekday_label(row.date), cancel_url=reverse(LIST_URL), **kwargs
        )

    def post(self, request: Any, date: str) -> Any:
        day = self._date()
        try:
            svc.calendar_day_remove(acting_user=request.user, date=day)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已删除。"))
        return HttpResponseRedirect(f"{reverse(LIST_URL)}?year={day.year}")
