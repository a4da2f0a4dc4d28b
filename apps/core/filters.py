"""Filters of the audit log page (and its export)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditLog


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
