from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.assessment import services
from apps.assessment.models import Appeal, AssessmentPlan, AssessmentResult, DutyReport, Indicator, RaterScore
from apps.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from apps.core.scoping import user_scope_path

from .serializers import (
    AppealSerializer,
    DutyReportSerializer,
    IndicatorSerializer,
    ItemScoreSerializer,
    PlanSerializer,
    RaterScoreInputSerializer,
    RaterScoreSerializer,
    ResultSerializer,
)


class PlanViewSet(ScopedReadOnlyViewSet):
    """Assessment plans issued in or above the user's organization (those above: once out of draft)."""

    queryset = AssessmentPlan.objects.all()
    serializer_class = PlanSerializer
    filterset_fields = ["year", "status"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class IndicatorViewSet(ScopedReadOnlyViewSet):
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_fields = ["plan", "category", "method"]


class ResultViewSet(ScopedReadOnlyViewSet):
    """Totals, rank, grade and veto. Before a plan is published only the user's own subtree's rows are listed;
    the item scores (``?items=1`` on a detail) only ever for the user's own subtree."""

    queryset = AssessmentResult.objects.all()
    serializer_class = ResultSerializer
    filterset_fields = ["plan", "grade", "vetoed"]
    ordering = ["plan", "rank"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").order_by("plan", "rank", "id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = self.get_object()
        data = ResultSerializer(result).data
        prefix = user_scope_path(request.user) or "/"
        if result.org_path.startswith(prefix):
            data["items"] = ItemScoreSerializer(result.item_scores.visible_to(request.user), many=True).data
        return Response(data)


class RaterScoreViewSet(ScopedModelViewSet):
    """Rater scores (评委打分). POST {result, indicator, points, evidence} records the caller's own score."""

    queryset = RaterScore.objects.all()
    serializer_class = RaterScoreSerializer
    filterset_fields = ["result", "indicator"]
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self) -> Any:
        if self.action == "create":
            self._ignore_model_permissions = True  # the service checks assessment.score_assessment
        return super().get_permissions()

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("rater")

    @extend_schema(request=RaterScoreInputSerializer, responses=RaterScoreSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = RaterScoreInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        result = (
            AssessmentResult.objects.visible_to(request.user)
            .select_related("plan__organization")
            .filter(pk=d["result"])
            .first()
        )
        if result is None:
            raise NotFound()
        indicator = get_object_or_404(Indicator, pk=d["indicator"], plan_id=result.plan_id)
        obj = services.rater_score_set(
            acting_user=request.user, result=result, indicator=indicator, points=d["points"], evidence=d["evidence"]
        )
        return Response(RaterScoreSerializer(obj).data, status=status.HTTP_201_CREATED)


class DutyReportViewSet(ScopedReadOnlyViewSet):
    queryset = DutyReport.objects.all()
    serializer_class = DutyReportSerializer
    filterset_fields = ["year", "status"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class AppealViewSet(ScopedReadOnlyViewSet):
    queryset = Appeal.objects.all()
    serializer_class = AppealSerializer
    filterset_fields = ["result", "status"]
