from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.organizations.filters import OrganizationFilter

from .models import Role, User


class UserFilterSet(django_filters.FilterSet):
    """Shared by the account list page, its export and the API."""

    q = django_filters.CharFilter(label=_("用户名或姓名"), method="filter_q", max_length=50)
    org = OrganizationFilter(label=_("所属党组织（含下级）"), method="filter_org", max_length=32)
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices, empty_label=_("全部"))
    is_active = django_filters.BooleanFilter(label=_("启用"))
    never_logged_in = django_filters.BooleanFilter(label=_("从未登录"), method="filter_never")
    locked = django_filters.BooleanFilter(label=_("已锁定"), method="filter_locked")

    class Meta:
        model = User
        fields = ["q", "org", "role", "is_active", "never_logged_in", "locked"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(username__icontains=value) | Q(display_name__contains=value)) if value else qs

    def filter_org(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        from apps.organizations.models import Organization

        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return qs.filter(organization__path__startswith=path) if path else qs.none()

    def filter_never(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(last_login__isnull=value)

    def filter_locked(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        from .services import locked_usernames

        if value is None:
            return qs
        names = locked_usernames()
        return qs.filter(username__in=names) if value else qs.exclude(username__in=names)
