from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from apps.core.pii import can_see_full_pii
from apps.members import recruitment as recruitment_services
from apps.members import services, transfers
from apps.members.filters import MemberFilterSet, RecruitmentFilterSet, TransferFilterSet
from apps.members.models import Member, Recruitment, Transfer
from apps.members.selectors import LIST_FIELDS, roster_order

from .serializers import (
    MemberContactSerializer,
    MemberCreateSerializer,
    MemberDetailSerializer,
    MemberSerializer,
    MemberStatusSerializer,
    MemberWriteSerializer,
    RecruitmentAdvanceSerializer,
    RecruitmentCreateSerializer,
    RecruitmentSerializer,
    RecruitmentUpdateSerializer,
    TransferApproveSerializer,
    TransferRequestSerializer,
    TransferReturnSerializer,
    TransferSerializer,
)


@extend_schema_view(
    create=extend_schema(request=MemberCreateSerializer, responses={201: MemberDetailSerializer}),
    update=extend_schema(request=MemberWriteSerializer, responses=MemberDetailSerializer),
    partial_update=extend_schema(request=MemberWriteSerializer, responses=MemberDetailSerializer),
)
class MemberViewSet(ScopedModelViewSet):
    """党员花名册. Filters (same as the page): q (name prefix or exact ID number), within, category, gender,
    status, age_min, age_max, education, ethnicity, join_year, mobile_state, lost_contact, party_post."""

    queryset = Member.objects.all()
    filterset_class = MemberFilterSet
    filter_backends = [DjangoFilterBackend]  # applied in filter_queryset; the order is the index order

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        if self.action == "list":
            return qs.select_related("organization").only(*LIST_FIELDS)
        return qs.select_related("organization", "party_group")

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        if self.action != "list":
            return qs
        fs = MemberFilterSet(self.request.query_params or None, queryset=qs, request=self.request)
        if fs.is_bound and not fs.is_valid():
            raise exceptions.ValidationError(fs.errors)
        return roster_order(fs.qs, name_search=getattr(fs, "name_search", False))

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            # One schema for everyone: the documented body is the full one; permissions decide what succeeds.
            schema = getattr(self, "swagger_fake_view", False)
            if self.action == "create":
                return MemberCreateSerializer
            if not schema and not self.request.user.has_perm("members.change_member"):
                return MemberContactSerializer
            return MemberWriteSerializer
        if self.action == "change_status":
            return MemberStatusSerializer
        if self.action == "retrieve":
            return MemberDetailSerializer
        return MemberSerializer

    def get_permissions(self) -> list:
        if self.action in ("update", "partial_update"):
            self._ignore_model_permissions = True  # checked below: change_member or change_member_contact
        return super().get_permissions()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        full = can_see_full_pii(request.user)
        if full:
            services.member_reveal_id_number(acting_user=request.user, member=member)
        data = MemberDetailSerializer(member, context={**self.get_serializer_context(), "full_id": full}).data
        return Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = services.member_create(
            acting_user=request.user, organization=data.pop("organization"), id_number=data.pop("id_number"), **data
        )
        return Response(MemberDetailSerializer(member, context=self.get_serializer_context()).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        if not (user.has_perm("members.change_member") or user.has_perm("members.change_member_contact")):
            raise exceptions.PermissionDenied()
        member = self.get_object()
        if not user.has_perm("members.change_member"):
            extra = sorted(set(request.data) - set(services.CONTACT_FIELDS))
            if extra:
                raise exceptions.ValidationError({extra[0]: ["您只能修改联系电话、工作单位、职务和所在党小组。"]})
        ser = self.get_serializer(member, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        member = services.member_update(acting_user=user, member=member, **ser.validated_data)
        return Response(MemberDetailSerializer(member, context=self.get_serializer_context()).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.member_delete(acting_user=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MemberStatusSerializer, responses=MemberDetailSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: Any = None) -> Response:
        member = self.get_object()
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member = services.member_change_status(acting_user=request.user, member=member, **ser.validated_data)
        return Response(MemberDetailSerializer(member, context=self.get_serializer_context()).data)


@extend_schema_view(
    create=extend_schema(request=RecruitmentCreateSerializer, responses={201: RecruitmentSerializer}),
    update=extend_schema(request=RecruitmentUpdateSerializer, responses=RecruitmentSerializer),
    partial_update=extend_schema(request=RecruitmentUpdateSerializer, responses=RecruitmentSerializer),
)
class RecruitmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """发展党员. Filters: q (name prefix), within, stage."""

    queryset = Recruitment.objects.all()
    filterset_class = RecruitmentFilterSet
    ordering = ["-applied_on", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization").order_by("-applied_on", "-id")

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return RecruitmentCreateSerializer
        if self.action in ("update", "partial_update"):
            return RecruitmentUpdateSerializer
        if self.action == "advance":
            return RecruitmentAdvanceSerializer
        return RecruitmentSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        missing = [k for k in ("organization", "id_number", "name", "applied_on") if not data.get(k)]
        if missing:
            raise exceptions.ValidationError({k: ["该字段是必填项。"] for k in missing})
        rec = recruitment_services.recruitment_create(acting_user=request.user, **data)
        return Response(RecruitmentSerializer(rec, context=self.get_serializer_context()).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rec = self.get_object()
        ser = self.get_serializer(rec, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        rec = recruitment_services.recruitment_update(acting_user=request.user, recruitment=rec, **data)
        return Response(RecruitmentSerializer(rec, context=self.get_serializer_context()).data)

    @extend_schema(request=RecruitmentAdvanceSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: Any = None) -> Response:
        rec = self.get_object()
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rec = recruitment_services.recruitment_advance(
            acting_user=request.user, recruitment=rec, to_stage=ser.validated_data["to_stage"]
        )
        return Response(RecruitmentSerializer(rec, context=self.get_serializer_context()).data)

    def get_permissions(self) -> list:
        if self.action == "advance":
            self._ignore_model_permissions = True  # the service checks members.change_recruitment
        return super().get_permissions()


class TransferViewSet(ScopedReadOnlyViewSet):
    """组织关系转接. Visible to the sending side always, to the receiving side once approved."""

    queryset = Transfer.objects.all()
    filterset_class = TransferFilterSet

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("member", "from_org", "to_org")

    def get_serializer_class(self) -> Any:
        return {
            "create": TransferRequestSerializer,
            "approve": TransferApproveSerializer,
            "return_": TransferReturnSerializer,
        }.get(self.action, TransferSerializer)

    def get_permissions(self) -> list:
        if self.action in ("approve", "receive", "return_", "cancel", "create"):
            self._ignore_model_permissions = True  # the services check add_/change_transfer
        return super().get_permissions()

    @extend_schema(request=TransferRequestSerializer, responses=TransferSerializer)
    def create(self, request: Request) -> Response:
        ser = TransferRequestSerializer(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        t = transfers.transfer_request(acting_user=request.user, **ser.validated_data)
        return Response(TransferSerializer(t).data, status=201)

    def _act(self, fn: Any, transfer: Transfer | None = None, **kwargs: Any) -> Response:
        t = fn(acting_user=self.request.user, transfer=transfer or self.get_object(), **kwargs)
        return Response(TransferSerializer(t).data)

    @extend_schema(request=TransferApproveSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        transfer = self.get_object()
        ser = TransferApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._act(transfers.transfer_approve, transfer, **ser.validated_data)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: Any = None) -> Response:
        return self._act(transfers.transfer_receive)

    @extend_schema(request=TransferReturnSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: Any = None) -> Response:
        transfer = self.get_object()
        ser = TransferReturnSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._act(transfers.transfer_return, transfer, reason=ser.validated_data["reason"])

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        return self._act(transfers.transfer_cancel)
