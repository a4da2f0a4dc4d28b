from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.responsibility import selectors, services
from apps.responsibility.filters import (
    DutyItemFilterSet,
    MonthlyLedgerFilterSet,
    ProblemItemFilterSet,
    RectificationFilterSet,
    TaskItemFilterSet,
)
from apps.responsibility.models import (
    DutyItem,
    Issuance,
    Meeting,
    MonthlyLedger,
    ProblemItem,
    Rectification,
    TaskItem,
)

from . import serializers as s

# Write actions: the row comes from visible_to (404 outside the scope) and the service checks the permission.
SERVICE_CHECKED = [permissions.IsAuthenticated]


class TaskItemViewSet(ScopedReadOnlyViewSet):
    """Task items in scope. Filters: q, within (org code), year, status, overdue, issuance."""

    queryset = TaskItem.objects.all()
    serializer_class = s.TaskItemSerializer
    filterset_class = TaskItemFilterSet
    ordering = ["due_date", "id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    @extend_schema(request=s.TaskProgressSerializer, responses=s.TaskItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def progress(self, request: Request, pk: Any = None) -> Response:
        ser = s.TaskProgressSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        task = services.task_progress_update(acting_user=request.user, task=self.get_object(), **ser.validated_data)
        return Response(s.TaskItemSerializer(task).data)


class ProblemItemViewSet(ScopedReadOnlyViewSet):
    queryset = ProblemItem.objects.all()
    serializer_class = s.ProblemItemSerializer
    filterset_class = ProblemItemFilterSet
    ordering = ["-found_on", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "rectification")


class DutyItemViewSet(ScopedReadOnlyViewSet):
    queryset = DutyItem.objects.all()
    serializer_class = s.DutyItemSerializer
    filterset_class = DutyItemFilterSet
    ordering = ["-year", "id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")


class RectificationViewSet(ScopedReadOnlyViewSet):
    """Rectifications in scope; sign-off (销号) only by a user of an organization above the owner."""

    queryset = Rectification.objects.all()
    serializer_class = s.RectificationSerializer
    filterset_class = RectificationFilterSet
    ordering = ["deadline", "id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "problem")

    @extend_schema(request=s.SignoffSerializer, responses=s.RectificationSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def signoff(self, request: Request, pk: Any = None) -> Response:
        ser = s.SignoffSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rect = services.rectification_signoff(
            acting_user=request.user, rectification=self.get_object(), **ser.validated_data
        )
        return Response(s.RectificationSerializer(rect).data)

    @extend_schema(request=s.ProgressSerializer, responses=s.RectificationSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def progress(self, request: Request, pk: Any = None) -> Response:
        ser = s.ProgressSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rect = self.get_object()
        services.rectification_progress_add(acting_user=request.user, rectification=rect, **ser.validated_data)
        rect.refresh_from_db()
        return Response(s.RectificationSerializer(rect).data)


class MonthlyLedgerViewSet(ScopedReadOnlyViewSet):
    """Monthly ledgers in scope. Filters: within, month (YYYY-MM), status."""

    queryset = MonthlyLedger.objects.all()
    serializer_class = s.MonthlyLedgerSerializer
    filterset_class = MonthlyLedgerFilterSet
    ordering = ["-month", "org_path"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    @extend_schema(request=None, responses=s.MonthlyLedgerSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def submit(self, request: Request, pk: Any = None) -> Response:
        ledger = services.ledger_submit(acting_user=request.user, ledger=self.get_object())
        return Response(s.MonthlyLedgerSerializer(ledger).data)

    @extend_schema(request=s.ReviewSerializer, responses=s.MonthlyLedgerSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def review(self, request: Request, pk: Any = None) -> Response:
        ser = s.ReviewSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ledger = services.ledger_review(acting_user=request.user, ledger=self.get_object(), **ser.validated_data)
        return Response(s.MonthlyLedgerSerializer(ledger).data)

    @extend_schema(
        responses=inline_serializer(
            "LedgerMeetingGap",
            fields={
                "kind": serializers.CharField(),
                "title": serializers.CharField(),
                "required": serializers.IntegerField(),
                "held": serializers.IntegerField(),
                "due": serializers.BooleanField(),
            },
            many=True,
        )
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def compliance(self, request: Request, pk: Any = None) -> Response:
        ledger = self.get_object()
        gaps = selectors.ledger_missing_meetings(branch=ledger.organization, period=ledger.period, include_pending=True)
        return Response(
            [{"kind": g.kind, "title": g.title, "required": g.required, "held": g.held, "due": g.due} for g in gaps]
        )


class MeetingViewSet(ScopedReadOnlyViewSet):
    queryset = Meeting.objects.all()
    serializer_class = s.MeetingSerializer
    ordering = ["held_on", "id"]


class IssuanceViewSet(ScopedReadOnlyViewSet):
    queryset = Issuance.objects.all()
    serializer_class = s.IssuanceSerializer
    ordering = ["-issued_on", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("issuer")

    @extend_schema(
        responses=inline_serializer(
            "IssuanceRollup",
            fields={
                "rows": serializers.ListField(child=serializers.DictField()),
                "totals": serializers.DictField(),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def rollup(self, request: Request, pk: Any = None) -> Response:
        data = selectors.issuance_rollup(issuance=self.get_object())
        rows = [
            {"organization": r["org"].pk, "name": r["org"].name, **{c: r[c] for c in data["columns"]}}
            for r in data["rows"]
        ]
        return Response({"rows": rows, "totals": data["totals"]})
