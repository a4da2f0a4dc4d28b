"""REST endpoints of the yearly cycle: dues-bases, dues-payments, appraisals, points, contact-reviews, mobility.

Reads come from ``visible_to`` (ScopedReadOnlyViewSet); writes go through the workflow services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.periods import Period
from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits

from .. import appraisal as appraisal_services
from .. import contact as contact_services
from .. import dues, dues_collection
from .. import mobility as mobility_services
from .. import points as points_services
from ..appraisal_models import Appraisal, AppraisalEntry, AppraisalLevel, PointEntry
from ..contact_models import ContactReview, MobileDirection, MobileRecord, ReviewDecision
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
            if is_digits(params.get(key, ""), 9):
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
            if is_digits(params.get(key, ""), 9):
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


# ---- appraisals ----------------------------------------------------------------------------------------


class AppraisalEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    final_level_display = serializers.CharField(source="get_final_level_display", read_only=True)

    class Meta:
        model = AppraisalEntry
        fields = [
            "id",
            "member",
            "member_name",
            "self_assessed_on",
            "votes_excellent",
            "votes_qualified",
            "votes_basic",
            "votes_unqualified",
            "proposed_level",
            "final_level",
            "final_level_display",
        ]


class AppraisalSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "status",
            "status_display",
            "committee_on",
            "meeting_on",
        ]


class AppraisalDetailSerializer(AppraisalSerializer):
    entries = AppraisalEntrySerializer(many=True, read_only=True)

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "entries"]


class AppraisalOpenSerializer(serializers.Serializer):
    organization = serializers.IntegerField(label="党支部")
    year = serializers.IntegerField(label="年度")


class AppraisalDecideSerializer(serializers.Serializer):
    levels = serializers.DictField(
        child=serializers.ChoiceField(choices=AppraisalLevel.choices), help_text="{党员id: 等次}"
    )
    meeting_on = serializers.DateField(label="党员大会评定日期")


class SelfAssessmentInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员")
    self_assessment = serializers.CharField(label="个人自评", max_length=appraisal_services.SELF_MAX)
    self_assessed_on = serializers.DateField(label="自评日期", required=False)


class SelfAssessmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = AppraisalEntry
        fields = ["id", "appraisal", "member", "member_name", "self_assessment", "self_assessed_on"]


class AppraisalViewSet(_WriteMixin, ScopedReadOnlyViewSet):
    """民主评议党员, yearly per branch. Filters: year."""

    queryset = Appraisal.objects.all()

    def get_permissions(self) -> list:
        if self.action in ("decide", "self_assessment"):
            self._ignore_model_permissions = True
        return super().get_permissions()

    def get_serializer_class(self) -> Any:
        return AppraisalDetailSerializer if self.action == "retrieve" else AppraisalSerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("organization")
        if self.action == "retrieve":
            qs = qs.prefetch_related("entries__member")
        year = self.request.query_params.get("year", "")
        return qs.filter(year=int(year)) if is_digits(year, 4) else qs

    @extend_schema(request=AppraisalOpenSerializer, responses=AppraisalSerializer)
    def create(self, request: Request) -> Response:
        from apps.organizations.models import Organization

        ser = AppraisalOpenSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = get_visible_or_404(Organization, request.user, pk=ser.validated_data["organization"])
        obj = appraisal_services.appraisal_open(
            acting_user=request.user, organization=org, year=ser.validated_data["year"]
        )
        return Response(AppraisalSerializer(obj).data, status=201)

    @extend_schema(request=AppraisalDecideSerializer, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        ser = AppraisalDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        levels = {int(k): v for k, v in ser.validated_data["levels"].items()}
        obj = appraisal_services.appraisal_decide(
            acting_user=request.user, appraisal=obj, levels=levels, meeting_on=ser.validated_data["meeting_on"]
        )
        return Response(AppraisalDetailSerializer(obj).data)

    @extend_schema(request=SelfAssessmentInputSerializer, responses=SelfAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request: Request, pk: Any = None) -> Response:
        """个人自评: the member's own account for their line, or the branch entering it on their behalf."""
        obj = self.get_object()
        ser = SelfAssessmentInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = appraisal_services.appraisal_record_self(
            acting_user=request.user,
            appraisal=obj,
            member_id=ser.validated_data["member"],
            text=ser.validated_data["self_assessment"],
            on=ser.validated_data.get("self_assessed_on"),
        )
        return Response(SelfAssessmentSerializer(entry).data)


# ---- points --------------------------------------------------------------------------------------------


class PointEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default="")

    class Meta:
        model = PointEntry
        fields = ["id", "member", "member_name", "rule", "rule_name", "points", "year", "occurred_on", "reason"]


class PointManualSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员")
    points = serializers.IntegerField(label="分值")
    reason = serializers.CharField(label="事由", max_length=200)
    occurred_on = serializers.DateField(label="日期")


class PointEntryViewSet(_WriteMixin, ScopedReadOnlyViewSet):
    """积分记录. Filters: year, member (id). POST adds a branch entry with a reason."""

    queryset = PointEntry.objects.all()
    serializer_class = PointEntrySerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("member", "rule")
        params = self.request.query_params
        for key in ("year", "member"):
            if is_digits(params.get(key, ""), 9):
                qs = qs.filter(**{key: int(params[key])})
        return qs

    @extend_schema(request=PointManualSerializer, responses=PointEntrySerializer)
    def create(self, request: Request) -> Response:
        ser = PointManualSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = member_for(request.user, data.pop("member"))
        obj = points_services.points_add_manual(acting_user=request.user, member=member, **data)
        return Response(PointEntrySerializer(obj).data, status=201)


# ---- contact reviews -----------------------------------------------------------------------------------


class ContactReviewSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = ContactReview
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "kind",
            "kind_display",
            "opened_on",
            "last_activity_on",
            "reason",
            "reason_display",
            "decision",
            "decision_display",
            "committee_on",
            "note",
        ]


class ContactDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in ReviewDecision.choices if c[0]])
    committee_on = serializers.DateField(label="研究日期")
    reason = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ContactReviewViewSet(ScopedReadOnlyViewSet):
    """失联党员审查. Filters: open=1 (undecided only), kind."""

    queryset = ContactReview.objects.all()
    serializer_class = ContactReviewSerializer

    def get_permissions(self) -> list:
        if self.action == "decide":
            self._ignore_model_permissions = True
        return super().get_permissions()

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("member")
        params = self.request.query_params
        if params.get("open") == "1":
            qs = qs.filter(decision="")
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        return qs

    @extend_schema(request=ContactDecideSerializer, responses=ContactReviewSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        review = self.get_object()
        ser = ContactDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        obj = contact_services.contact_review_decide(acting_user=request.user, review=review, **ser.validated_data)
        return Response(ContactReviewSerializer(obj).data)


# ---- mobility ------------------------------------------------------------------------------------------


class MobileRecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    host_org_name = serializers.CharField(source="host_org.name", read_only=True, default="")

    class Meta:
        model = MobileRecord
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "direction",
            "direction_display",
            "place",
            "host_org",
            "host_org_name",
            "host_name",
            "starts_on",
            "ends_on",
            "certificate_no",
            "ended_on",
        ]


class MobileStartSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员")
    direction = serializers.ChoiceField(choices=MobileDirection.choices)
    place = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    certificate_no = serializers.CharField(required=False, allow_blank=True, max_length=40)
    host_org = serializers.IntegerField(required=False, allow_null=True)
    host_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=100)


class MobileRecordViewSet(_WriteMixin, ScopedReadOnlyViewSet):
    """流动党员登记: visible to the member's side and the host organization. Filters: open=1."""

    queryset = MobileRecord.objects.all()
    serializer_class = MobileRecordSerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("member", "host_org")
        if self.request.query_params.get("open") == "1":
            qs = qs.filter(ended_on__isnull=True)
        return qs

    @extend_schema(request=MobileStartSerializer, responses=MobileRecordSerializer)
    def create(self, request: Request) -> Response:
        from apps.organizations.models import Organization

        ser = MobileStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = member_for(request.user, data.pop("member"))
        host_id = data.pop("host_org", None)
        host = Organization.objects.filter(pk=host_id, is_active=True).first() if host_id else None
        obj = mobility_services.mobility_start(acting_user=request.user, member=member, host_org=host, **data)
        return Response(MobileRecordSerializer(obj).data, status=201)
