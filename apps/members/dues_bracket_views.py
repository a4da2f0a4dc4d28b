"""党费交纳标准 pages (root administrators): the table in force for a year with its source, a province's table
for a year (add, edit, remove before it is used), and the recompute of members' stored amounts (preview, then
confirm). Every write goes through ``dues_brackets``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from apps.core.root_tables import RootAdminRequiredMixin
from apps.core.views import form_errors_from

from . import dues_brackets as svc
from .dues_models import DuesCategory

LIST_URL = "members:dues_bracket_settings"


def _year(request: Any, default: int | None = None) -> int:
    value = request.GET.get("year") or request.POST.get("year")
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default or timezone.localdate().year
    return year if 2000 <= year <= 2100 else (default or timezone.localdate().year)


def _money_field(label: str, *, max_digits: int) -> forms.DecimalField:
    # Django formats these messages with its own parameters: a literal % in the label must be doubled.
    named = label.replace("%", "%%")
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=max_digits,
        decimal_places=2,
        error_messages={
            "invalid": _("%(l)s：请填写数字，例如 5000 或 0.5。") % {"l": label},  # no params: not formatted
            "max_decimal_places": _("%(l)s：最多保留两位小数。") % {"l": named},
            "max_digits": _("%(l)s：数值过大。") % {"l": named},
            "max_whole_digits": _("%(l)s：数值过大。") % {"l": named},
        },
    )


class DuesBracketForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("执行年度"), error_messages={"invalid": gettext_lazy("执行年度：请填写年份，例如 2027。")}
    )
    category = forms.ChoiceField(label=gettext_lazy("党员类别"), choices=DuesCategory.choices)
    note = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        help_text=gettext_lazy("文件名称和条款，例如《××省党费收缴管理办法》第三条"),
        error_messages={"required": gettext_lazy("依据：请填写文件名称和条款。")},
    )

    def __init__(self, *args: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].error_messages["required"] = _("执行年度：请填写年份，例如 2027。")
        self.fields["category"].error_messages["required"] = _("党员类别：请选择党员类别。")
        for n in range(1, svc.MAX_ROWS + 1):
            self.fields[f"upper_bound_{n}"] = _money_field(_("第%(n)d档基数上限（元，含）") % {"n": n}, max_digits=14)
            self.fields[f"rate_percent_{n}"] = _money_field(_("第%(n)d档比例（%%）") % {"n": n}, max_digits=5)
            self.fields[f"fixed_amount_{n}"] = _money_field(_("第%(n)d档每月固定金额（元）") % {"n": n}, max_digits=14)
        if fixed:
            self.fields["year"].disabled = True
            self.fields["category"].disabled = True

    def bracket_rows(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {k: data.get(f"{k}_{n}") for k in ("upper_bound", "rate_percent", "fixed_amount")}
            for n in range(1, svc.MAX_ROWS + 1)
        ]

    def row_fields(self) -> list[list[Any]]:
        return [
            [self[f"upper_bound_{n}"], self[f"rate_percent_{n}"], self[f"fixed_amount_{n}"]]
            for n in range(1, svc.MAX_ROWS + 1)
        ]


class DuesBracketListView(RootAdminRequiredMixin, TemplateView):
    template_name = "members/dues_bracket_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = _year(self.request)
        return super().get_context_data(
            title=_("党费交纳标准"),
            year=year,
            tables=svc.tables_in_force(year),
            province_tables=svc.province_tables(),
            **kwargs,
        )


class DuesBracketEditView(RootAdminRequiredMixin, FormView):
    """Add (no year/category in the URL) or edit one category's table of one year."""

    template_name = "members/dues_bracket_form.html"
    form_class = DuesBracketForm

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.year = kwargs.get("year")
        self.category = kwargs.get("category")
        if self.category is not None and self.category not in DuesCategory.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def editing(self) -> bool:
        return self.year is not None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["fixed"] = self.editing
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        if not self.editing:
            return {"year": timezone.localdate().year + 1}
        rows = svc.bracket_rows_of(self.year, self.category)
        if not rows:
            raise Http404
        from .dues_models import DuesBracket

        note = DuesBracket.objects.filter(year=self.year, category=self.category).values_list("note", flat=True)
        initial: dict[str, Any] = {"year": self.year, "category": self.category, "note": note.first() or ""}
        for n, row in enumerate(rows, start=1):
            for key, value in row.items():
                initial[f"{key}_{n}"] = value
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=_("党费交纳标准"),
            editing=self.editing,
            in_use=self.editing and svc.table_in_use(self.year, self.category),
            cancel_url=reverse(LIST_URL),
            **kwargs,
        )

    def form_valid(self, form: Any) -> Any:
        data = form.cleaned_data
        try:
            svc.bracket_table_save(
                acting_user=self.request.user,
                year=data["year"],
                category=data["category"],
                rows=form.bracket_rows(),
                note=data["note"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。请核对党员按新标准每月应交金额的变化，确认后重算。"))
        return HttpResponseRedirect(f"{reverse('members:dues_recompute')}?year={data['year']}")


class DuesBracketDeleteView(RootAdminRequiredMixin, TemplateView):
    template_name = "members/dues_bracket_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year, category = kwargs.pop("year"), kwargs.pop("category")
        if category not in DuesCategory.values or not svc.bracket_rows_of(year, category):
            raise Http404
        return super().get_context_data(
            title=_("党费交纳标准"),
            year=year,
            category_label=DuesCategory(category).label,
            in_use=svc.table_in_use(year, category),
            cancel_url=reverse(LIST_URL),
            **kwargs,
        )

    def post(self, request: Any, year: int, category: str) -> Any:
        try:
            svc.bracket_table_delete(acting_user=request.user, year=year, category=category)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(reverse(LIST_URL))
        messages.success(request, _("已删除。请核对党员每月应交金额的变化，确认后重算。"))
        return HttpResponseRedirect(f"{reverse('members:dues_recompute')}?year={year}")


class DuesRecomputeView(RootAdminRequiredMixin, TemplateView):
    """Preview how many members' stored amounts of a year change under the table in force; confirm to write."""

    template_name = "members/dues_recompute.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = _year(self.request)
        plan = svc.dues_recompute_preview(acting_user=self.request.user, year=year)
        return super().get_context_data(
            title=_("重算党员每月应交金额"),
            year=year,
            plan=plan,
            changed=len(plan.changes),
            cancel_url=reverse(LIST_URL),
            **kwargs,
        )

    def post(self, request: Any) -> Any:
        year = _year(request)
        changed = svc.dues_recompute(acting_user=request.user, year=year)
        messages.success(
            request, _("已重算：%(y)s年%(n)d名党员的每月应交金额已按现行标准更新。") % {"y": year, "n": changed}
        )
        return HttpResponseRedirect(f"{reverse(LIST_URL)}?year={year}")
