"""/api/v1/responsibility/meeting-requirements/: the meeting frequency table (组织生活频次要求) kept by root
administrators. Any signed-in user reads it (it is a regulation); writes go through ``rule_settings``, which
checks the root administrator, validates and audits."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api import LabelledSerializer, RequiredBooleanField, RootTableViewSet, root_table_schema

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


@root_table_schema(MeetingRequirementSerializer, MeetingRequirementCreateSerializer, MeetingRequirementUpdateSerializer)
class MeetingRequirementViewSet(RootTableViewSet):
    """组织生活频次要求 (the whole table, not paged). Writes: root administrators only."""

    queryset = MeetingRequirement.objects.order_by("id")
    serializer_class = MeetingRequirementSerializer
    create_serializer_class = MeetingRequirementCreateSerializer
    update_serializer_class = MeetingRequirementUpdateSerializer
    put_clears = {"source": ""}

    def create_row(self, *, acting_user: Any, data: dict[str, Any]) -> MeetingRequirement:
        return meeting_requirement_create(acting_user=acting_user, data=data)

    def update_row(self, *, acting_user: Any, obj: Any, data: dict[str, Any]) -> MeetingRequirement:
        return meeting_requirement_update(acting_user=acting_user, obj=obj, data=data)
