"""FilterSets shared by the pages, the API and the Excel exports."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.text import is_digits
from apps.core.workdays import add_working_days
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization

from .choices import OPEN_STATUSES, Channel, RegistrationStatus, RequestStatus, WishStatus
from .models import CommunityRegistration, MicroWish, ServiceCategory, ServiceRequest


class _WithinFilterSet(django_filters.FilterSet):
    within = OrganizationFilter(label=_("所属组织（含下级）"), method="filter_within")

    def filter_within(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        request = getattr(self, "request", None)
        orgs = Organization.objects.visible_to(request.user) if request else Organization.objects.none()
        org = orgs.filter(code=value).only("path").first()
        return qs.filter(org_path__startswith=org.path) if org else qs.none()


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _category_choices(request: Any) -> QuerySet:
    if request is None:
        return ServiceCategory.objects.none()
    return ServiceCategory.objects.visible_to(request.user).select_related("parent")


def _options(field: Any) -> list[Any]:
    objs = getattr(field, "_options", None)
    if objs is None:
        objs = field._options = list(field.queryset)
    return objs


class _OnceChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """The options from one query per form, shared by rendering, counting and validating (the stock
    iterator runs a COUNT and a SELECT on every render and a GET to validate)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in _options(self.field):
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(_options(self.field)) + (self.field.empty_label is not None)


class _OnceModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _OnceChoiceIterator

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        key = str(getattr(value, "pk", value))
        for obj in _options(self):
            if str(obj.pk) == key:
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class OnceModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _OnceModelChoiceField


class ServiceRequestFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(label=_("编号/内容"), method="filter_q")
    status = django_filters.ChoiceFilter(empty_label=_("全部"), label=_("状态"), choices=RequestStatus.choices)
    category = OnceModelChoiceFilter(
        empty_label=_("全部"), label=_("类别"), queryset=_category_choices, method="filter_category"
    )
    channel = django_filters.ChoiceFilter(empty_label=_("全部"), label=_("渠道"), choices=Channel.choices)
    timing = django_filters.ChoiceFilter(
        empty_label=_("全部"),
        label=_("时限"),
        method="filter_timing",
        choices=[
            ("overdue", _("已逾期")),
            ("due_soon", _("即将到期（1个工作日内）")),
            ("suspended", _("挂起中")),
            ("follow_up", _("待回访")),
        ],
    )
    # local-day bounds on the timestamp (not ``received_at::date``), so the index on received_at serves them
    received_from = django_filters.DateFilter(label=_("登记日期起"), method="filter_received_from")
    received_to = django_filters.DateFilter(label=_("登记日期止"), method="filter_received_to")

    class Meta:
        model = ServiceRequest
        fields = ["q", "status", "category", "channel", "timing", "within", "received_from", "received_to"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        code = value.upper().removeprefix("FW")
        if is_digits(code):
            return qs.filter(pk=int(code))
        return qs.filter(content__contains=value)

    def filter_category(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        """The category and its sub-kinds, as a list of ids (no join: an index on category serves it)."""
        if not value:
            return qs
        ids = [value.pk, *ServiceCategory.objects.filter(parent=value).values_list("pk", flat=True)]
        return qs.filter(category_id__in=ids)

    def filter_received_from(self, qs: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return qs.filter(received_at__gte=_local_midnight(value)) if value else qs

    def filter_received_to(self, qs: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return qs.filter(received_at__lt=_local_midnight(value + datetime.timedelta(days=1))) if value else qs

    def filter_timing(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        if value == "overdue":
            return qs.overdue(today)
        if value == "due_soon":
            return qs.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=add_working_days(today, 1))
        if value == "suspended":
            return qs.filter(status=RequestStatus.SUSPENDED)
        if value == "follow_up":
            return qs.filter(status=RequestStatus.ANSWERED, follow_up_due_on__gte=today)
        return qs


class MicroWishFilterSet(_WithinFilterSet):
    q = django_filters.CharFilter(label=_("心愿"), field_name="title", lookup_expr="contains")
    status = django_filters.ChoiceFilter(empty_label=_("全部"), label=_("状态"), choices=WishStatus.choices)

    class Meta:
        model = MicroWish
        fields = ["q", "status", "within"]


class RegistrationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(empty_label=_("全部"), label=_("状态"), choices=RegistrationStatus.choices)
    side = django_filters.ChoiceFilter(
        empty_label=_("全部"),
        label=_("视角"),
        method="filter_side",
        choices=[("community", _("到本辖区社区报到的")), ("home", _("本组织党员外出报到的"))],
    )

    class Meta:
        model = CommunityRegistration
        fields = ["status", "side"]

    def filter_side(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        request = getattr(self, "request", None)
        org = getattr(getattr(request, "user", None), "organization", None)
        if not value or org is None:
            return qs
        field = "org_path" if value == "community" else "home_path"
        return qs.filter(**{f"{field}__startswith": org.path})
