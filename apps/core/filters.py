"""The filter layer's base class: integer filters are integers, in range, validated once for every list.

Every FilterSet in the project derives from ``BaseFilterSet`` (a test walks them). Its ``NumberFilter``s
that are not about money or fractions become bounded integer fields, so ``?parent=1e30``,
``?issuance=<26 digits>`` or ``?year=0.5`` are a 400 with a Chinese message naming the filter (pages show
the error), never an OverflowError, a silent truncation or a debug page. Choice filters on ids
(``ModelChoiceFilter``) get the same bound before they reach the database.

Also the filters shared by list pages: the month filter and the audit log page's filters.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.text import is_digits

from .forms import MonthInput
from .models import AuditLog
from .periods import Period

#: Large enough for any id; small enough for every database's bigint and for Python's float round-trip.
MAX_ID = 2**53


class BoundedIntegerField(forms.IntegerField):
    default_error_messages = {"invalid": _("请输入整数。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("decimal_places", None)
        kwargs.pop("max_digits", None)
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            text = str(value).strip()
            if not is_digits(text.lstrip("-"), 16) or len(text) > 16:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def _is_fractional(model: Any, f: django_filters.Filter) -> bool:
    if "decimal_places" in f.extra or f.extra.get("fractional"):
        return True
    if model is None or not f.field_name:
        return False
    try:
        field = model._meta.get_field(f.field_name.split("__")[0])
    except Exception:
        return False
    return isinstance(field, (models.DecimalField, models.FloatField))


def _annotate(f: django_filters.Filter, schema: dict[str, Any]) -> None:
    """The OpenAPI schema of a filter parameter (drf-spectacular reads ``_spectacular_annotation``)."""
    f._spectacular_annotation = {**getattr(f, "_spectacular_annotation", {}), "field": schema}


def harden_filters(model: Any, filters: dict[str, django_filters.Filter]) -> None:
    for f in filters.values():
        if type(f) is django_filters.NumberFilter and not _is_fractional(model, f):
            f.field_class = BoundedIntegerField
            f.extra.pop("fractional", None)
            _annotate(
                f,
                {
                    "type": "integer",
                    "minimum": f.extra.get("min_value", -MAX_ID),
                    "maximum": f.extra.get("max_value", MAX_ID),
                },
            )
        elif type(f) is django_filters.ModelChoiceFilter:
            f.field_class = BoundedModelChoiceField
            _annotate(f, {"type": "integer", "minimum": 1, "maximum": MAX_ID})
        elif type(f) is django_filters.BooleanFilter:
            _annotate(f, {"type": "boolean"})
        elif type(f) is django_filters.CharFilter:
            f.extra.setdefault("max_length", 200)
            _annotate(f, {"type": "string", "maxLength": f.extra["max_length"]})


class BaseFilterSet(django_filters.FilterSet):
    """Hardened once, when the class is built (so the API schema shows the real types and limits)."""

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        filters = super().get_filters()
        harden_filters(getattr(cls._meta, "model", None), filters)
        return filters


class DateInput(forms.DateInput):
    input_type = "date"


class AuditLogFilterSet(BaseFilterSet):
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


class _RecentChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """The newest ``limit`` objects of the (scoped, ordered) queryset, plus the chosen one if older: a bounded
    drop-down however many rows the scope holds; one query, run once per form."""

    def _objects(self) -> list[Any]:
        field = self.field
        objs = getattr(field, "_recent", None)
        if objs is None:
            objs = field._recent = list(self.queryset[: field.limit])
        chosen = getattr(field, "_chosen", None)
        if chosen is not None and all(o.pk != chosen.pk for o in objs):
            return [chosen, *objs]
        return objs

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._objects():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self._objects()) + (self.field.empty_label is not None)


class RecentChoiceField(BoundedModelChoiceField):
    iterator = _RecentChoiceIterator
    limit = 100

    def to_python(self, value: Any) -> Any:
        obj = super().to_python(value)  # validated against the whole scoped queryset (one lookup by id)
        self._chosen = obj
        return obj


class RecentChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter on one object of a scoped list (an allocation notice, an allocation), chosen by its label from
    a drop-down of the newest ``limit`` in the user's scope, never typed as a number. ``queryset`` is a
    callable of the request (scoped and ordered, newest first); the query string carries the id, and an id
    outside the queryset is an error naming the filter."""

    field_class = RecentChoiceField

    def __init__(self, *args: Any, limit: int = 100, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("全部"))
        super().__init__(*args, **kwargs)
        self.limit = limit
        _annotate(self, {"type": "integer", "minimum": 1, "maximum": MAX_ID})

    @property
    def field(self) -> Any:
        field = super().field
        field.limit = self.limit
        return field
