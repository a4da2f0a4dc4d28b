"""REST endpoints of the yearly cycle: dues-bases, dues-payments, appraisals, points, contact-reviews, mobility.

Reads come from ``visible_to`` (ScopedReadOnlyViewSet); writes go through the workflow services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404

from .. import dues, dues_collection
from ..dues_models import DuesBase, DuesCategory, DuesPayment, PaymentMethod, ReductionKind
from ..models import Member


def member_for(user: Any, member_id: int) -> Member:
    return get_visible_or_404(Member.objects.select_related("organization"), user, pk=member_id)


class _WriteMixin:
    """POST runs a service; the service checks the permission, so the model permission class lets it through."""

    def get_permissions(self) -> list:
        if self.action == "create":
            self._ignore_model_permissions = True
        return super().get_permissions()


class DuesBaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    effective_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = DuesBase
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "year",
            "category",
            "category_display",
            "base",
            "monthly_amount",
            "reduction",
            "reduced_amount",
            "reduction_reason",
            "committee_decided_on",
            "approved_on",
            "approved_by_org",
            "effective_amount",
        ]


class DuesBaseInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员")
    year = serializers.IntegerField(label="年度")
    category = serializers.ChoiceField(label="党员类别", choices=DuesCategory.choices)
    base = serializers.DecimalField(label="交纳基数", max_digits=14, decimal_places=2)
    reduction = serializers.ChoiceField(label="减免", choices=ReductionKind.choices, required=False, allow_blank=True)
    reduced_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    reduction_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    committee_decided_on = serializers.DateField(required=False, allow_null=True)
    approved_on = serializers.DateField(required=False, allow_null=True)
    approved_by_org = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DuesBaseViewSet(_WriteMixin, ScopedReadOnlyViewSet):
    """党费基数 per member and year. Filters: year, organization (id), member (id)."""

    queryset = DuesBase.objects.all()
    serializer_class = DuesBaseSerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("member").order_by("org_path", "member_id", "-year")
        params = self.request.query_params
        for key in ("year", "organization", "member"):
            if params.get(key, "").isdigit():
                qs = qs.filter(**{key: int(params[key])})
        return qs

    @extend_schema(request=DuesBaseInputSerializer, responses=DuesBaseSerializer)
    def create(self, request: Request) -> Response:
        ser = DuesBaseInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = member_for(request.user, data.pop("member"))
        obj = dues.dues_base_set(acting_user=request.user, member=member, **data)
        return Response(DuesBaseSerializer(obj).data, status=201)


class DuesPaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "month",
            "amount",
            "method",
            "method_display",
            "paid_on",
            "receipt_no",
        ]


class DuesPaymentInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员")
    month = serializers.CharField(label="月份", help_text="YYYY-MM")
    amount = serializers.DecimalField(label="金额", max_digits=14, decimal_places=2)
    method = serializers.ChoiceField(label="交纳方式", choices=PaymentMethod.choices)
    paid_on = serializers.DateField(label="交纳日期")


class DuesPaymentViewSet(_WriteMixin, ScopedReadOnlyViewSet):
    """党费交纳记录. Filters: month (YYYY-MM), organization (id), member (id)."""

    queryset = DuesPayment.objects.all()
    serializer_class = DuesPaymentSerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("member").order_by("-month", "org_path", "member_id")
        params = self.request.query_params
        if params.get("month"):
            qs = qs.filter(month=Period.parse(params["month"]).first_day)
        for key in ("organization", "member"):
            if params.get(key, "").isdigit():
                qs = qs.filter(**{key: int(params[key])})
        return qs

    @extend_schema(request=DuesPaymentInputSerializer, responses=DuesPaymentSerializer)
    def create(self, request: Request) -> Response:
        ser = DuesPaymentInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        member = member_for(request.user, data["member"])
        period = Period.parse(data["month"])
        dues_collection.dues_record_month(
            acting_user=request.user,
            organization=member.organization,
            period=period,
            payments=[
                dues_collection.PaymentInput(
                    member_id=member.pk,
                    amount=data["amount"],
                    method=data["method"],
                    paid_on=data["paid_on"],
                    label=member.name,
                )
            ],
        )
        obj = DuesPayment.objects.select_related("member").get(member=member, month=period.first_day)
        return Response(DuesPaymentSerializer(obj).data, status=201)
