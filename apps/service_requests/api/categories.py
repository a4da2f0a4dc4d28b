"""/api/v1/service-categories/: 服务类别 as on 本单位设置 → 服务类别, for the user's organization or ``?org=<code>``
below it (the "acting" organization).

The list is what the page shows: the organization's own categories (active or not) and the active ones of
the organizations above (they apply too, read only), each top-level category followed by its sub-kinds.
``own`` marks the acting organization's categories, ``editable`` those the user may also change. A detail URL
reaches any category the user can see (down the subtree and the ancestors'); writes go through
``services.category_save`` for the acting organization, which refuses another organization's category (400 on
``organization``), a role without the permission (403) and invalid values (400, Chinese, per field). No DELETE:
categories are referenced by requests (PROTECT); ``is_active: false`` retires one, as on the page.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedModelViewSet
from apps.core.filters import MAX_ID, BaseFilterSet
from apps.core.scoping import org_in_scope_or_own
from apps.organizations.models import Organization
from apps.service_requests import services
from apps.service_requests.models import ServiceCategory

CHANGE_PERM = "service_requests.change_servicecategory"
#: Defaults of a new category (the page's initial values, the model's defaults).
NEW_DEFAULTS: dict[str, Any] = {
    "parent": None,
    "response_limit_days": 1,
    "closure_limit_days": 5,
    "follow_up_days": 3,
    "sort_order": 0,
    "is_active": True,
}

ORG_PARAM = OpenApiParameter(
    "org", str, description="党组织代码（留空为本单位）：列出、新增、修改该组织的服务类别", required=False
)


class ServiceCategorySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True, help_text="设置单位")
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    full_name = serializers.CharField(source="__str__", read_only=True, help_text="含上级类别的名称，如 民事代办·社保")
    own = serializers.SerializerMethodField(help_text="本单位（或 org 所指组织）设置的类别；否则为上级设置，只读")
    editable = serializers.SerializerMethodField(help_text="本单位设置且当前用户有权修改")

    class Meta:
        model = ServiceCategory
        fields = ["id", "organization", "organization_name", "own", "editable", "parent", "parent_name", "name",
                  "full_name", "response_limit_days", "closure_limit_days", "follow_up_days", "sort_order",
                  "is_active"]  # fmt: skip
        read_only_fields = fields

    def get_own(self, obj: ServiceCategory) -> bool:
        org = self.context.get("organization")
        return org is not None and obj.organization_id == org.pk

    def get_editable(self, obj: ServiceCategory) -> bool:
        return self.get_own(obj) and bool(self.context.get("can_change"))


def _int_messages(label: str, out_of_range: Any = None) -> dict[str, Any]:
    message = format_lazy(gettext_lazy("{label}须填写整数。"), label=label)
    messages = {"invalid": message, "required": message, "null": message, "max_string_length": message}
    if out_of_range is not None:
        messages.update(min_value=out_of_range, max_value=out_of_range)
    return messages


class _OptionalBooleanField(serializers.BooleanField):
    """Missing stays missing in every encoding (a form-encoded body without it does not mean False)."""

    default_empty_html = empty


class ServiceCategoryInputSerializer(serializers.Serializer):
    """The page's form. On create only ``name`` is required (the rest take the page's initial values);
    PATCH changes only what it sends. Ranges and the rules between fields are the service's."""

    name = serializers.CharField(
        label=gettext_lazy("类别名称"),
        max_length=50,
        error_messages={
            "required": gettext_lazy("请填写类别名称。"),
            "blank": gettext_lazy("请填写类别名称。"),
            "null": gettext_lazy("请填写类别名称。"),
            "invalid": gettext_lazy("类别名称须为文字。"),
            "max_length": gettext_lazy("类别名称最多50个字。"),
        },
    )
    parent = serializers.IntegerField(
        label=gettext_lazy("上级类别"),
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        error_messages=_int_messages("上级类别", gettext_lazy("上级类别不适用于该区域。")),
        help_text="上级类别的ID（一级类别，本单位或上级设置）；null 为一级类别",
    )
    response_limit_days = serializers.IntegerField(
        label=gettext_lazy("受理时限（工作日）"), required=False, error_messages=_int_messages("受理时限"),
        help_text="0–30，不长于办结时限",
    )  # fmt: skip
    closure_limit_days = serializers.IntegerField(
        label=gettext_lazy("办结时限（工作日）"), required=False, error_messages=_int_messages("办结时限"),
        help_text="1–365",
    )  # fmt: skip
    follow_up_days = serializers.IntegerField(
        label=gettext_lazy("回访时限（工作日）"), required=False, error_messages=_int_messages("回访时限"),
        help_text="1–60",
    )  # fmt: skip
    sort_order = serializers.IntegerField(
        label=gettext_lazy("排序"), required=False, min_value=0, max_value=32767,
        error_messages=_int_messages("排序", gettext_lazy("排序须为0到32767之间的整数。")),
    )  # fmt: skip
    is_active = _OptionalBooleanField(
        label=gettext_lazy("启用"), required=False, error_messages={"invalid": gettext_lazy("启用须为 true 或 false。")}
    )

    def validate_parent(self, value: int | None) -> ServiceCategory | None:
        """Any category the user can see; whether it applies at the organization and is top-level is the
        service's (its messages: 不适用于该区域 / 类别最多两级)."""
        if value is None:
            return None
        request = self.context["request"]
        parent = ServiceCategory.objects.visible_to(request.user).filter(pk=value).first()
        if parent is None:
            raise serializers.ValidationError(_("上级类别不适用于该区域。"))
        return parent


class ServiceCategoryFilterSet(BaseFilterSet):
    active = django_filters.BooleanFilter(label=gettext_lazy("启用"), field_name="is_active")
    parent = django_filters.NumberFilter(label=gettext_lazy("上级类别ID（其下级类别）"), field_name="parent_id",
                                         min_value=1)  # fmt: skip
    top = django_filters.BooleanFilter(label=gettext_lazy("一级类别"), field_name="parent", lookup_expr="isnull")

    class Meta:
        model = ServiceCategory
        fields = ["active", "parent", "top"]


@extend_schema_view(
    list=extend_schema(parameters=[ORG_PARAM]),
    retrieve=extend_schema(parameters=[ORG_PARAM]),
    create=extend_schema(
        parameters=[ORG_PARAM], request=ServiceCategoryInputSerializer, responses={201: ServiceCategorySerializer}
    ),
    update=extend_schema(
        parameters=[ORG_PARAM], request=ServiceCategoryInputSerializer, responses=ServiceCategorySerializer
    ),
    partial_update=extend_schema(
        parameters=[ORG_PARAM], request=ServiceCategoryInputSerializer, responses=ServiceCategorySerializer
    ),
)
class ServiceCategoryViewSet(ScopedModelViewSet):
    """服务类别 usable at the user's organization (or ``?org=<code>``): its own and its ancestors' active ones.
    Filters: active, parent (the sub-kinds of a category), top. POST creates one for that organization;
    PUT/PATCH change one of its own (``is_active: false`` retires it; there is no DELETE)."""

    queryset = ServiceCategory.objects.all()
    serializer_class = ServiceCategorySerializer
    filterset_class = ServiceCategoryFilterSet
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def acting_organization(self) -> Organization:
        """``?org=<code>`` in the user's scope (else 404, as a missing one), or the user's own organization."""
        cached = getattr(self, "_acting_org", None)
        if cached is not None:
            return cached
        org = org_in_scope_or_own(self.request.user, self.request.query_params.get("org", ""))
        self._acting_org = org
        return org

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset().select_related("organization", "parent")
        if self.action != "list":
            return qs
        org = self.acting_organization()
        qs = qs.listed_at(org)
        # as on the page: each top-level category (by sort order) followed by its sub-kinds
        return qs.order_by(
            Coalesce("parent__sort_order", "sort_order"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "sort_order",
            "id",
        )

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = super().get_serializer_context()
        if getattr(self, "request", None) is not None and self.request.user.is_authenticated:
            ctx.update(organization=self.acting_organization(), can_change=self.request.user.has_perm(CHANGE_PERM))
        return ctx

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return ServiceCategoryInputSerializer
        return ServiceCategorySerializer

    def _answer(self, category: ServiceCategory, code: int = status.HTTP_200_OK) -> Response:
        category = self.get_queryset().get(pk=category.pk)
        return Response(ServiceCategorySerializer(category, context=self.get_serializer_context()).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.acting_organization()
        ser = ServiceCategoryInputSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        fields = {**NEW_DEFAULTS, **ser.validated_data}
        category = services.category_save(acting_user=request.user, organization=organization, **fields)
        return self._answer(category, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        category = self.get_object()
        organization = self.acting_organization()
        ser = ServiceCategoryInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        ser.is_valid(raise_exception=True)
        category = services.category_save(
            acting_user=request.user, organization=organization, category=category, **ser.validated_data
        )
        return self._answer(category)
