from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from apps.core.due_items import DueItem
from apps.organizations.models import Organization
from apps.supervision import services
from apps.supervision.filters import AccountabilityFilterSet, InspectionPlanFilterSet, LetterFilterSet
from apps.supervision.models import Accountability, Finding, InspectionPlan, InspectionRecord, Letter

from .serializers import (
    AccountabilitySerializer,
    FindingSerializer,
    InspectionPlanSerializer,
    InspectionRecordSerializer,
    LetterAnswerSerializer,
    LetterAnswerUploadSerializer,
    LetterCloseSerializer,
    LetterCreateSerializer,
    LetterListSerializer,
    LetterSerializer,
)


class LetterViewSet(ScopedModelViewSet):
    """The three letters (三函) sent to or by organizations in the user's subtree. Filters: q, kind, status,
    period, overdue, addressee, issuer. POST creates a hand-written letter; answer/close are actions."""

    queryset = Letter.objects.all()
    filterset_class = LetterFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-issued_on", "-id"]

    def get_permissions(self) -> Any:
        if self.action in ("answer", "close", "create"):
            self._ignore_model_permissions = True  # the service checks the specific permission
        return super().get_permissions()

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("issuer", "addressee")
        if self.action == "list":
            return qs.defer("body", "answer")
        return qs.prefetch_related("items", "attachments")

    def get_serializer_class(self) -> Any:
        return {
            "list": LetterListSerializer,
            "create": LetterCreateSerializer,
            "answer": LetterAnswerSerializer,
            "close": LetterCloseSerializer,
        }.get(self.action, LetterSerializer)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        letter = services.letter_mark_read(user=request.user, letter=self.get_object())
        return Response(LetterSerializer(letter).data)

    @extend_schema(request=LetterCreateSerializer, responses=LetterSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = LetterCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        addressee = Organization.objects.visible_to(request.user).filter(pk=data["addressee"]).first()
        if addressee is None:
            raise NotFound()
        letter = services.letter_create_manual(
            acting_user=request.user,
            issuer=request.user.organization,
            addressee=addressee,
            kind=data["kind"],
            period=data["period"],
            items=[
                DueItem(addressee.pk, it["kind"], it["title"], it["due_date"], it["object_ref"]) for it in data["items"]
            ],
            response_days=data.get("response_days"),
        )
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": LetterAnswerUploadSerializer,
            "application/json": LetterAnswerSerializer,
            "application/x-www-form-urlencoded": LetterAnswerSerializer,
        },
        responses=LetterSerializer,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        letter = self.get_object()
        ser = LetterAnswerUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        letter = services.letter_answer(
            acting_user=request.user, letter=letter, answer=ser.validated_data["answer"],
            files=ser.validated_data["files"],
        )  # fmt: skip
        return Response(LetterSerializer(self.get_queryset().get(pk=letter.pk)).data)

    @extend_schema(request=LetterCloseSerializer, responses=LetterSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        letter = self.get_object()
        ser = LetterCloseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.letter_close(acting_user=request.user, letter=letter, note=ser.validated_data["note"])
        return Response(LetterSerializer(self.get_queryset().get(pk=letter.pk)).data)


class AccountabilityViewSet(ScopedReadOnlyViewSet):
    queryset = Accountability.objects.all()
    serializer_class = AccountabilitySerializer
    filterset_class = AccountabilityFilterSet

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class InspectionPlanViewSet(ScopedReadOnlyViewSet):
    queryset = InspectionPlan.objects.all()
    serializer_class = InspectionPlanSerializer
    filterset_class = InspectionPlanFilterSet


class InspectionRecordViewSet(ScopedReadOnlyViewSet):
    queryset = InspectionRecord.objects.all()
    serializer_class = InspectionRecordSerializer

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("target")


class FindingViewSet(ScopedReadOnlyViewSet):
    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
