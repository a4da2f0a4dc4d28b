from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedModelViewSet
from apps.organizations import services
from apps.organizations.filters import OrganizationFilterSet
from apps.organizations.models import Organization

from .serializers import (
    OrganizationDissolveSerializer,
    OrganizationMoveSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    OrganizationWriteSerializer,
)


@extend_schema_view(
    create=extend_schema(request=OrganizationWriteSerializer, responses={201: OrganizationSerializer}),
    update=extend_schema(request=OrganizationUpdateSerializer, responses=OrganizationSerializer),
    partial_update=extend_schema(request=OrganizationUpdateSerializer, responses=OrganizationSerializer),
)
class OrganizationViewSet(ScopedModelViewSet):
    """Party organizations in the user's subtree. Filters: q, kind, sector, grade, parent, within,
    term_due_within (months), is_weak, is_demonstration, is_active."""

    queryset = Organization.objects.all()
    filterset_class = OrganizationFilterSet
    ordering_fields = ["path", "name", "code", "term_due_on"]
    ordering = ["path"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("parent")

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return OrganizationWriteSerializer
        if self.action in ("update", "partial_update"):
            return OrganizationUpdateSerializer
        if self.action == "move":
            return OrganizationMoveSerializer
        if self.action == "dissolve":
            return OrganizationDissolveSerializer
        return OrganizationSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        org = services.organization_create(acting_user=request.user, parent=data.pop("parent", None), **data)
        return Response(OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = self.get_object()
        ser = self.get_serializer(org, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        org = services.organization_update(acting_user=request.user, organization=org, **ser.validated_data)
        return Response(OrganizationSerializer(org).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.organization_delete(acting_user=request.user, organization=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=OrganizationMoveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: Any = None) -> Response:
        org = self.get_object()
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = services.organization_move(
            acting_user=request.user, organization=org, new_parent=ser.validated_data["parent"]
        )
        return Response(OrganizationSerializer(org).data)

    @extend_schema(request=OrganizationDissolveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request: Request, pk: Any = None) -> Response:
        org = self.get_object()
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = services.organization_dissolve(acting_user=request.user, organization=org, **ser.validated_data)
        return Response(OrganizationSerializer(org).data)

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: Any = None) -> Response:
        org = self.get_object()
        qs = self.get_queryset().filter(parent=org).order_by("kind", "name")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(OrganizationSerializer(page, many=True).data)
