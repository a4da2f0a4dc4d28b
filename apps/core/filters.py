"""Filters shared by list pages: the month filter; the audit log page's filters."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .forms import MonthInput
from .models import AuditLog
from .periods import Period


class DateInput(forms.DateInput):
    input_type = "date"


class AuditLogFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("操作人"), field_name="actor_name", lookup_expr="contains")
    action = django_filters.ChoiceFilter(label=_("操作类别"), choices=AuditLog.Action.choices)
    q = django_filters.CharFilter(label=_("对象"), field_name="object_repr", lookup_expr="contains")
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="created_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="created_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "q", "date_from", "date_to"]


class MonthField(forms.CharField):
    """A month (YYYY-MM) whose bad values are a Chinese error on the field, never an empty list."""

    widget = MonthInput

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if not value:
            return value
        try:
            period = Period.parse(value)
        except ValidationError as exc:
            raise ValidationError(_("“%(v)s”不是有效的月份，请选择年月，例如 2026-11。") % {"v": value}) from exc
        return str(period)


class MonthFilter(django_filters.CharFilter):
    """``?month=2026-11``: the filter's label is 月份 and the browser shows a month picker."""

    field_class = MonthField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("月份"))
        super().__init__(*args, **kwargs)
