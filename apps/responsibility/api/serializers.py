from __future__ import annotations

from rest_framework import serializers

from apps.core.api import RequiredBooleanField
from apps.responsibility.choices import TaskStatus
from apps.responsibility.models import (
    DutyItem,
    Issuance,
    Meeting,
    MonthlyLedger,
    ProblemItem,
    Rectification,
    TaskItem,
)


class _OrgOwnedSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)


class TaskItemSerializer(_OrgOwnedSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TaskItem
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "issuance",
            "content",
            "target",
            "issued_on",
            "due_date",
            "due_quarter",
            "status",
            "status_display",
            "completed_on",
            "evidence",
        ]
        read_only_fields = fields


class TaskProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ProblemItemSerializer(_OrgOwnedSerializer):
    rectification = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ProblemItem
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "issuance",
            "source",
            "category",
            "description",
            "severity",
            "found_on",
            "rectification",
        ]
        read_only_fields = fields


class DutyItemSerializer(_OrgOwnedSerializer):
    class Meta:
        model = DutyItem
        fields = ["id", "organization", "organization_name", "year", "issuance", "person_name", "post", "duties"]
        read_only_fields = fields


class RectificationSerializer(_OrgOwnedSerializer):
    problem_description = serializers.CharField(source="problem.description", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "organization",
            "organization_name",
            "problem",
            "problem_description",
            "measures",
            "responsible_person",
            "responsible_unit",
            "deadline_class",
            "deadline",
            "status",
            "status_display",
            "completed_on",
            "signed_off_at",
            "signoff_comment",
            "rechecked_at",
            "recheck_note",
        ]
        read_only_fields = fields


class SignoffSerializer(serializers.Serializer):
    approve = RequiredBooleanField()
    comment = serializers.CharField(allow_blank=True, max_length=2000)


class ProgressSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    content = serializers.CharField(max_length=5000)


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "ledger",
            "organization",
            "party_group",
            "kind",
            "held_on",
            "place",
            "topic",
            "minutes",
            "attendee_count",
            "absentee_count",
            "quorum_met",
            "quorum_note",
        ]
        read_only_fields = fields


class MonthlyLedgerSerializer(_OrgOwnedSerializer):
    period = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyLedger
        fields = [
            "id",
            "organization",
            "organization_name",
            "period",
            "month",
            "status",
            "due_date",
            "submitted_at",
            "submitted_on_time",
            "reviewed_at",
            "review_comment",
            "task_progress",
            "rectification_progress",
            "notes",
        ]
        read_only_fields = fields

    def get_period(self, obj: MonthlyLedger) -> str:
        return str(obj.period)


class ReviewSerializer(serializers.Serializer):
    approve = RequiredBooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class IssuanceSerializer(serializers.ModelSerializer):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = Issuance
        fields = [
            "id",
            "issuer",
            "issuer_name",
            "item_type",
            "year",
            "title",
            "payload",
            "due_date",
            "issued_on",
            "selection",
            "assignee_count",
        ]
        read_only_fields = fields
