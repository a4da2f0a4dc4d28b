"""Observation scores under supervision's API: each rater's sheet (read), and POST to score as oneself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedModelViewSet
from apps.organizations.models import Organization
from apps.supervision import observation_scoring as scoring
from apps.supervision.choices import Severity
from apps.supervision.models import ObservationVisit
from apps.supervision.observation_findings import observation_finding_create
from apps.supervision.observation_models import ObservationFinding, ObservationRating


class ObservationRatingSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)
    rater_name = serializers.CharField(source="rater.display_name", read_only=True)

    class Meta:
        model = ObservationRating
        fields = ["id", "visit", "target", "target_name", "rater", "rater_name", "points", "total", "comment",
                  "scored_at"]  # fmt: skip


class ObservationRatingInputSerializer(serializers.Serializer):
    visit = serializers.IntegerField()
    target = serializers.IntegerField()
    points = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=1),
                                   help_text="维度编号 -> 得分")  # fmt: skip
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ObservationRatingViewSet(ScopedModelViewSet):
    queryset = ObservationRating.objects.all()
    serializer_class = ObservationRatingSerializer
    filterset_fields = ["visit", "target"]
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self) -> Any:
        if self.action == "create":
            self._ignore_model_permissions = True  # the service checks supervision.add_observationscore
        return super().get_permissions()

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("target", "rater")

    @extend_schema(request=ObservationRatingInputSerializer, responses=ObservationRatingSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = ObservationRatingInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        visit = (
            ObservationVisit.objects.visible_to(request.user)
            .select_related("organization")
            .filter(pk=d["visit"])
            .first()
        )
        target = Organization.objects.visible_to(request.user).filter(pk=d["target"]).first()
        if visit is None or target is None:
            raise NotFound()
        try:
            points = {int(k): Decimal(v) for k, v in d["points"].items()}
        except ValueError as exc:
            raise serializers.ValidationError({"points": ["维度编号须为数字。"]}) from exc
        rating = scoring.observation_rating_set(
            acting_user=request.user, visit=visit, target=target, points=points, comment=d["comment"]
        )
        return Response(ObservationRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class ObservationFindingSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = ObservationFinding
        fields = ["id", "visit", "target", "target_name", "category", "description", "severity", "severity_display",
                  "rectify_by", "problem", "created_at"]  # fmt: skip


class ObservationFindingInputSerializer(serializers.Serializer):
    visit = serializers.IntegerField(label="观摩活动")
    target = serializers.IntegerField(label="被观摩组织")
    category = serializers.CharField(label="问题类别", max_length=50)
    description = serializers.CharField(label="问题描述")
    severity = serializers.ChoiceField(label="严重程度", choices=Severity.choices, default=Severity.MINOR)
    rectify_by = serializers.DateField(label="整改期限", required=False, allow_null=True, default=None)


class ObservationFindingViewSet(ScopedModelViewSet):
    """Problems found on observation visits. POST records one for a target on the route; it becomes a problem
    item with its rectification (``problem``) in the target's problem list."""

    queryset = ObservationFinding.objects.all()
    serializer_class = ObservationFindingSerializer
    filterset_fields = ["visit", "target"]
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self) -> Any:
        if self.action == "create":
            self._ignore_model_permissions = True  # the service checks supervision.add_observationfinding
        return super().get_permissions()

    def optimize_queryset(self, qs: Any) -> Any:
        return qs.select_related("target")

    @extend_schema(request=ObservationFindingInputSerializer, responses={201: ObservationFindingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = ObservationFindingInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        visit = ObservationVisit.objects.visible_to(request.user).select_related("organization").filter(
            pk=d.pop("visit")).first()  # fmt: skip
        target = Organization.objects.visible_to(request.user).filter(pk=d.pop("target")).first()
        if visit is None or target is None:
            raise NotFound()
        finding = observation_finding_create(acting_user=request.user, visit=visit, target=target, **d)
        return Response(ObservationFindingSerializer(finding).data, status=status.HTTP_201_CREATED)
