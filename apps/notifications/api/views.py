from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.notifications import services
from apps.notifications.models import Delivery, Notice

from .serializers import DeliverySerializer, NoticeQuerySerializer, NoticeSerializer, NoticesMarkedSerializer


@extend_schema_view(list=extend_schema(parameters=[NoticeQuerySerializer]))
class NoticeViewSet(ScopedReadOnlyViewSet):
    """The user's own notices. ``?unread=1`` lists unread ones; read / read_all mark them."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    _ignore_model_permissions = True  # an inbox is personal: rows are the user's own

    def optimize_queryset(self, qs: Any) -> Any:
        if self.action != "list":
            return qs
        query = NoticeQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)  # ?unread=false lists every notice; ?unread=maybe is a 400
        return qs.unread() if query.validated_data.get("unread") else qs

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        notice = services.notice_mark_read(user=request.user, notice=self.get_object())
        return Response(NoticeSerializer(notice).data)

    @extend_schema(request=None, responses=NoticesMarkedSerializer)
    @action(detail=False, methods=["post"])
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notices_mark_all_read(user=request.user)})


class DeliveryViewSet(ScopedReadOnlyViewSet):
    """Delivery status of notices to users in scope (admins)."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
