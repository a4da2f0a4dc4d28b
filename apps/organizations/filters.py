from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import BaseFilterSet
from apps.core.periods import add_months
from apps.core.text import is_digits

from .choices import Grade, OrgKind, Sector
from .models import Organization


class OrganizationFilterField(forms.CharField):
    """The value of an organization filter: a code (or id), or — typed without picking, e.g. without
    JavaScript — a name, resolved in the user's scope. Anything else is an error naming the field."""

    user: Any = None
    value_key = "code"

    def clean(self, value: Any) -> str:
        value = (super().clean(value) or "").strip()
        if not value or self.user is None:
            return value
        qs = Organization.objects.visible_to(self.user)
        if self.value_key == "id":
            if is_digits(value) and len(value) < 16:
                return value
        elif qs.filter(code=value).exists():
            return value
        elif is_digits(value) and len(value) < 16:  # an id (API clients, older links): its code
            code = qs.filter(pk=int(value)).values_list("code", flat=True).first()
            if code:
                return code
        matches = list(qs.filter(name=value).only("id", "code")[:2]) or list(
            qs.filter(name__contains=value).only("id", "code")[:2]
        )
        if len(matches) != 1:
            raise ValidationError(_("找不到该党组织，或不在您的管理范围内；请从提示或组织树中选择。"))
        return str(matches[0].pk) if self.value_key == "id" else matches[0].code


class OrganizationFilter(django_filters.CharFilter):
    """A filter on one organization, chosen by name (search box and tree, ``OrganizationPickerInput``); the
    query string carries its code (or its id, ``value_key="id"``). The widget shows the chosen name, looked
    up in the requesting user's scope."""

    field_class = OrganizationFilterField

    def __init__(self, *args: Any, value_key: str = "code", **kwargs: Any) -> None:
        from .forms import OrganizationPickerInput

        self.value_key = value_key
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "widget",
            OrganizationPickerInput(value_key=value_key, attrs={"placeholder": _("输入名称搜索，或点右侧按钮浏览")}),
        )
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> Any:
        field = super().field
        request = getattr(getattr(self, "parent", None), "request", None)
        field.user = field.widget.user = getattr(request, "user", None)
        field.value_key = self.value_key
        return field


class OrganizationFilterSet(BaseFilterSet):
    """Shared by the list page, the API and exports."""

    q = django_filters.CharFilter(label=_("名称或代码"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("组织类别"), choices=OrgKind.choices)
    sector = django_filters.ChoiceFilter(
        label=_("所属领域"), choices=[*Sector.choices, ("none", _("未填写"))], method="filter_sector"
    )
    grade = django_filters.ChoiceFilter(label=_("分类定级"), choices=Grade.choices)
    parent = django_filters.NumberFilter(label=_("上级组织ID"), field_name="parent_id")
    within = django_filters.NumberFilter(label=_("所属组织ID（含下级）"), method="filter_within")
    parent_code = OrganizationFilter(label=_("上级组织"), field_name="parent__code")
    within_code = OrganizationFilter(label=_("所属组织（含下级）"), method="filter_within_code")
    term_due_within = django_filters.NumberFilter(
        label=_("N个月内到期换届"), method="filter_term_due", min_value=0, max_value=120
    )
    is_weak = django_filters.BooleanFilter(label=_("软弱涣散"))
    is_demonstration = django_filters.BooleanFilter(label=_("示范点"))
    is_active = django_filters.BooleanFilter(label=_("正常（未撤销）"))
    star = django_filters.NumberFilter(label=_("星级"), field_name="star_rating", min_value=1, max_value=5)

    class Meta:
        model = Organization
        fields = [
            "q",
            "kind",
            "sector",
            "grade",
            "parent",
            "within",
            "parent_code",
            "within_code",
            "term_due_within",
            "is_weak",
            "is_demonstration",
            "is_active",
            "star",
        ]

    def filter_sector(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(sector="" if value == "none" else value)

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(name__contains=value) | Q(code=value) | Q(short_name__contains=value)) if value else qs

    def filter_within(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        # The root is looked up in the scoped base queryset, so an out-of-scope id yields nothing.
        root_path = self.queryset.filter(pk=value).values_list("path", flat=True).first()
        return qs.filter(path__startswith=root_path) if root_path else qs.none()

    def filter_within_code(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        root_path = self.queryset.filter(code=value.strip()).values_list("path", flat=True).first()
        return qs.filter(path__startswith=root_path) if root_path else qs.none()

    def filter_term_due(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        until = add_months(timezone.localdate(), int(value))
        return qs.filter(term_due_on__isnull=False, term_due_on__lte=until, is_active=True)


class OrganizationPageFilterSet(OrganizationFilterSet):
    """The list page picks organizations by code (what people know); the API keeps ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("parent", "within"):
            self.filters.pop(name)
