from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.assessment import services
from apps.assessment.models import Appeal, AssessmentPlan, AssessmentResult, DutyReport, Indicator, RaterScore
from apps.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from apps.core.scoping import get_visible_or_404, user_scope_path

from .serializers import (
    AppealAnswerInputSerializer,
    AppealInputSerializer,
    AppealSerializer,
    DutyReportInputSerializer,
    DutyReportSerializer,
    DutyReviewInputSerializer,
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


# Write actions: rows come from visible_to (404 outside the scope) and the service checks the permission.
SERVICE_CHECKED = [permissions.IsAuthenticated]


class DutyReportViewSet(ScopedReadOnlyViewSet):
    """述职报告. POST writes (or rewrites, until reviewed) the caller's organization's report for ``year``
    (multipart for an attachment; ``submit`` sends it); POST ``{id}/review/`` records the review meeting's votes
    (an organization above reviews)."""

    queryset = DutyReport.objects.all()
    serializer_class = DutyReportSerializer
    filterset_fields = ["year", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    def get_permissions(self) -> list:
        if self.action in ("create", "review"):
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(
        request={"application/json": DutyReportInputSerializer, "multipart/form-data": DutyReportInputSerializer},
        responses={200: DutyReportSerializer, 201: DutyReportSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = DutyReportInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = request.user.organization
        if org is None:
            raise ValidationError({"organization": [_("您的账号未关联党组织，不能撰写述职报告。")]})
        d = ser.validated_data
        existed = DutyReport.objects.filter(organization=org, year=d["year"]).exists()
        report = services.duty_report_save(acting_user=request.user, organization=org, **d)
        return Response(DutyReportSerializer(report).data, status=status.HTTP_200_OK if existed else 201)

    @extend_schema(request=DutyReviewInputSerializer, responses=DutyReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        ser = DutyReviewInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        report = services.duty_report_review(acting_user=request.user, report=self.get_object(), **ser.validated_data)
        return Response(DutyReportSerializer(report).data)


class AppealViewSet(ScopedReadOnlyViewSet):
    """申诉. POST submits one for a result of the caller's own organization while the appeal window is open;
    POST ``{id}/answer/`` answers it (staff of the issuing organization; accepting with ``new_points`` corrects
    the item and re-ranks)."""

    queryset = Appeal.objects.all()
    serializer_class = AppealSerializer
    filterset_fields = ["result", "status"]

    def get_permissions(self) -> list:
        if self.action in ("create", "answer"):
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(request=AppealInputSerializer, responses={201: AppealSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = AppealInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        result = get_visible_or_404(AssessmentResult.objects.select_related("plan", "organization"), request.user,
                                    pk=d["result"])  # fmt: skip
        indicator = None
        if d["indicator"] is not None:
            indicator = Indicator.objects.filter(pk=d["indicator"], plan_id=result.plan_id).first()
            if indicator is None:
                raise ValidationError({"indicator": [_("指标不属于该考核方案。")]})
        appeal = services.appeal_submit(acting_user=request.user, result=result, indicator=indicator,
                                        reason=d["reason"])  # fmt: skip
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AppealAnswerInputSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        ser = AppealAnswerInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        appeal = services.appeal_answer(acting_user=request.user, appeal=self.get_object(), **ser.validated_data)
        return Response(AppealSerializer(appeal).data)
