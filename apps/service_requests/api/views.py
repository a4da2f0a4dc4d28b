from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.periods import Period
from apps.core.scoping import org_in_scope_or_own
from apps.service_requests import services
from apps.service_requests.filters import MicroWishFilterSet, RegistrationFilterSet, ServiceRequestFilterSet
from apps.service_requests.models import CommunityRegistration, MicroWish, ServiceRecord, ServiceRequest
from apps.service_requests.ranges import parse_range
from apps.service_requests.stats import subtree_rates

from . import serializers as s

# Write actions: the row comes from visible_to (404 outside the scope) and the service checks the permission.
SERVICE_CHECKED = [permissions.IsAuthenticated]
MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _transition(name: str, input_cls: Any, call: Any) -> Any:
    """A POST action running one transition service; the row comes from visible_to (404 outside scope)."""

    def view(self: Any, request: Request, pk: Any = None) -> Response:
        ser = input_cls(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        obj = call(request.user, self.get_object(), dict(ser.validated_data))
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(s.ServiceRequestDetailSerializer(obj, context={"request": request}).data)

    view.__name__ = view.__qualname__ = name
    view = action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED, url_path=name.replace("_", "-"))(
        view
    )
    return extend_schema(
        request=input_cls, responses=s.ServiceRequestDetailSerializer, operation_id=f"service_request_{name}"
    )(view)


class ServiceRequestViewSet(ScopedReadOnlyViewSet):
    """Requests in scope (handling or registering organization). Filters as on the page: q, status,
    category, channel, timing (overdue / due_soon / suspended), within, received_from, received_to.
    POST creates (登记); one POST action per transition."""

    queryset = ServiceRequest.objects.all()
    serializer_class = s.ServiceRequestSerializer
    filterset_class = ServiceRequestFilterSet
    ordering = ["-received_at", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("organization", "category", "category__parent")
        if self.action != "list":
            qs = qs.prefetch_related("steps")
        return qs

    def get_serializer_class(self) -> Any:
        return s.ServiceRequestSerializer if self.action == "list" else s.ServiceRequestDetailSerializer

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=s.RegisterInputSerializer, responses=s.ServiceRequestDetailSerializer)
    def create(self, request: Request) -> Response:
        ser = s.RegisterInputSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        obj = services.request_register(acting_user=request.user, **ser.validated_data)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(s.ServiceRequestDetailSerializer(obj, context={"request": request}).data, status=201)

    accept = _transition(
        "accept", s.NoteInputSerializer, lambda u, r, d: services.request_accept(acting_user=u, request=r, **d)
    )
    assign = _transition(
        "assign", s.AssignInputSerializer, lambda u, r, d: services.request_assign(acting_user=u, request=r, **d)
    )
    start = _transition(
        "start", s.NoteInputSerializer, lambda u, r, d: services.request_start(acting_user=u, request=r, **d)
    )
    answer = _transition(
        "answer", s.AnswerInputSerializer, lambda u, r, d: services.request_answer(acting_user=u, request=r, **d)
    )
    follow_up = _transition(
        "follow_up",
        s.FollowUpInputSerializer,
        lambda u, r, d: services.request_follow_up(acting_user=u, request=r, **d),
    )
    close = _transition(
        "close", s.NoteInputSerializer, lambda u, r, d: services.request_close(acting_user=u, request=r, **d)
    )
    transfer = _transition(
        "transfer", s.TransferInputSerializer, lambda u, r, d: services.request_transfer(acting_user=u, request=r, **d)
    )
    escalate = _transition(
        "escalate",
        s.RequiredNoteInputSerializer,
        lambda u, r, d: services.request_escalate(acting_user=u, request=r, **d),
    )
    suspend = _transition(
        "suspend", s.SuspendInputSerializer, lambda u, r, d: services.request_suspend(acting_user=u, request=r, **d)
    )
    decide_suspension = _transition(
        "decide_suspension",
        s.DecideInputSerializer,
        lambda u, r, d: services.request_suspension_decide(acting_user=u, request=r, **d),
    )
    resume = _transition("resume", s.NoteInputSerializer,
                         lambda u, r, d: services.request_resume(acting_user=u, request=r, **d))  # fmt: skip


class MicroWishViewSet(ScopedReadOnlyViewSet):
    queryset = MicroWish.objects.all()
    serializer_class = s.MicroWishSerializer
    filterset_class = MicroWishFilterSet
    ordering = ["-created_at", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization")

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=s.WishCreateInputSerializer, responses=s.MicroWishSerializer)
    def create(self, request: Request) -> Response:
        ser = s.WishCreateInputSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        wish = services.wish_create(acting_user=request.user, **ser.validated_data)
        return Response(s.MicroWishSerializer(wish).data, status=201)

    @extend_schema(request=s.WishClaimInputSerializer, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def claim(self, request: Request, pk: Any = None) -> Response:
        ser = s.WishClaimInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        wish = services.wish_claim(acting_user=request.user, wish=self.get_object(), **ser.validated_data)
        return Response(s.MicroWishSerializer(wish).data)

    @extend_schema(request=s.WishFulfilInputSerializer, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def fulfil(self, request: Request, pk: Any = None) -> Response:
        ser = s.WishFulfilInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        wish = services.wish_fulfil(acting_user=request.user, wish=self.get_object(), **ser.validated_data)
        return Response(s.MicroWishSerializer(wish).data)

    @extend_schema(request=None, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def confirm(self, request: Request, pk: Any = None) -> Response:
        wish = services.wish_confirm(acting_user=request.user, wish=self.get_object())
        return Response(s.MicroWishSerializer(wish).data)


class CommunityRegistrationViewSet(ScopedReadOnlyViewSet):
    """双报到 registrations visible from the community's side and from the home organization's side."""

    queryset = CommunityRegistration.objects.all()
    serializer_class = s.CommunityRegistrationSerializer
    filterset_class = RegistrationFilterSet
    ordering = ["-registered_on", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "home_org", "member")

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=s.RegistrationInputSerializer, responses=s.CommunityRegistrationSerializer)
    def create(self, request: Request) -> Response:
        ser = s.RegistrationInputSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        reg = services.registration_create(acting_user=request.user, **ser.validated_data)
        return Response(s.CommunityRegistrationSerializer(reg).data, status=201)

    @extend_schema(request=None, responses=s.CommunityRegistrationSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def confirm(self, request: Request, pk: Any = None) -> Response:
        reg = services.registration_confirm(acting_user=request.user, registration=self.get_object())
        return Response(s.CommunityRegistrationSerializer(reg).data)

    @extend_schema(methods=["get"], responses=s.ServiceRecordSerializer(many=True))
    @extend_schema(methods=["post"], request=s.RecordInputSerializer, responses={201: s.ServiceRecordSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=SERVICE_CHECKED, pagination_class=None)
    def records(self, request: Request, pk: Any = None) -> Response:
        reg = self.get_object()
        if request.method == "GET":
            recs = ServiceRecord.objects.filter(registration=reg).order_by("-served_on", "-id")
            return Response(s.ServiceRecordSerializer(recs, many=True).data)
        ser = s.RecordInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rec = services.record_add(acting_user=request.user, registration=reg, **ser.validated_data)
        return Response(s.ServiceRecordSerializer(rec).data, status=status.HTTP_201_CREATED)


class ServiceRecordViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceRecord.objects.all()
    serializer_class = s.ServiceRecordSerializer
    ordering = ["-served_on", "-id"]

    @extend_schema(request=None, responses=s.ServiceRecordSerializer)
    @action(detail=True, methods=["post"], permission_classes=SERVICE_CHECKED)
    def confirm(self, request: Request, pk: Any = None) -> Response:
        rec = services.record_confirm(acting_user=request.user, record=self.get_object())
        return Response(s.ServiceRecordSerializer(rec).data)


class ServiceStatsView(APIView):
    """Rates of a subtree for any date range: ?org=<code>&from=YYYY-MM-DD&to=YYYY-MM-DD (registrations on
    those days, both included), or the older whole months ?start=YYYY-MM&end=YYYY-MM (defaults: the user's
    organization, the last 12 months). Totals, per child organization, per month, top categories."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, description="党组织代码（默认本人所在组织）"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="起始日期 YYYY-MM-DD（含），优先于 start"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="截止日期 YYYY-MM-DD（含）"),
            OpenApiParameter("start", {"type": "string", "pattern": MONTH_PATTERN}, description="起始月份 YYYY-MM"),
            OpenApiParameter("end", {"type": "string", "pattern": MONTH_PATTERN}, description="截止月份 YYYY-MM"),
        ],
        responses=s.ServiceStatsSerializer,
    )
    def get(self, request: Request) -> Response:
        if not request.user.has_perm("service_requests.view_servicerequest"):
            raise exceptions.PermissionDenied()
        root = org_in_scope_or_own(request.user, request.query_params.get("org", ""))
        first, last = parse_range(request.query_params)  # ValidationError -> 400 naming the field
        data = subtree_rates(root=root, start=first, end=last)
        return Response(
            {
                "organization": {"id": root.pk, "code": root.code, "name": root.name},
                "start": str(Period.of(first)),
                "end": str(Period.of(last)),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "generated_at": timezone.now(),
                "total": data["total"].as_dict(),
                "children": [{"id": c.pk, "code": c.code, "name": c.name, **f.as_dict()} for c, f in data["children"]],
                "months": [{"month": f"{m:%Y-%m}", **f.as_dict()} for m, f in data["months"]],
                "top_categories": [
                    {"name": n, "volume": v, "share": None if sh is None else float(sh)}
                    for n, v, sh in data["top_categories"]
                ],
            }
        )
