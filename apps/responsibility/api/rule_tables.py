"""/api/v1/responsibility/meeting-requirements/: the meeting frequency table (组织生活频次要求) kept by root
administrators. Any signed-in user reads it (it is a regulation); writes go through ``rule_settings``, which
checks the root administrator, validates and audits."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import LabelledSerializer, RequiredBooleanField
from apps.core.permissions import RootAdminWrites

from ..choices import MeetingKind, RequirementPeriod
from ..models import MeetingRequirement
from ..rule_settings import meeting_requirement_create, meeting_requirement_update


class MeetingRequirementSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    period_display = serializers.CharField(source="get_period_display", read_only=True)

    class Meta:
        model = MeetingRequirement
        fields = [
            "id", "kind", "kind_display", "period", "period_display", "minimum_count", "per_party_group", "source",
            "is_active",
        ]  # fmt: skip
        read_only_fields = fields


class MeetingRequirementUpdateSerializer(LabelledSerializer):
    """PUT: every editable item (``source`` may be left out: cleared); PATCH: only those sent."""

    period = serializers.ChoiceField(label="周期", choices=RequirementPeriod.choices)
    minimum_count = serializers.IntegerField(label="最少次数", help_text="每个周期至少召开的次数（1至31）")
    per_party_group = RequiredBooleanField(label="按党小组计")
    source = serializers.CharField(label="依据", max_length=200, required=False, allow_blank=True)
    is_active = RequiredBooleanField(label="启用")


class MeetingRequirementCreateSerializer(MeetingRequirementUpdateSerializer):
    kind = serializers.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    per_party_group = serializers.BooleanField(label="按党小组计", required=False, default=False)
    is_active = serializers.BooleanField(label="启用", required=False, default=True)


class MeetingRequirementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """组织生活频次要求 (the whole table, not paged). Writes: root administrators only."""

    queryset = MeetingRequirement.objects.order_by("id")
    serializer_class = MeetingRequirementSerializer
    permission_classes = [RootAdminWrites]
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]{1,9}"

    @extend_schema(request=MeetingRequirementCreateSerializer, responses={201: MeetingRequirementSerializer})
    def create(self, request: Request) -> Response:
        ser = MeetingRequirementCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        req = meeting_requirement_create(acting_user=request.user, data=dict(ser.validated_data))
        return Response(MeetingRequirementSerializer(req).data, status=201)

    @extend_schema(request=MeetingRequirementUpdateSerializer, responses={200: MeetingRequirementSerializer})
    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        req = self.get_object()
        ser = MeetingRequirementUpdateSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if not partial:
            data = {"source": "", **data}
        req = meeting_requirement_update(acting_user=request.user, obj=req, data=data)
        return Response(MeetingRequirementSerializer(req).data)

    @extend_schema(
        request=MeetingRequirementUpdateSerializer(partial=True), responses={200: MeetingRequirementSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)
