from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.supervision.choices import LetterKind
from apps.supervision.models import (
    Accountability,
    Finding,
    InspectionPlan,
    InspectionRecord,
    Letter,
    LetterItem,
)


class LetterItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterItem
        fields = ["seq", "kind", "title", "due_date", "object_ref"]


class LetterListSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number_display")
    issuer_name = serializers.CharField(source="issuer.name")
    addressee_name = serializers.CharField(source="addressee.name")
    overdue = serializers.BooleanField()

    class Meta:
        model = Letter
        fields = [
            "id", "kind", "number", "title", "period", "issuer", "issuer_name", "addressee", "addressee_name",
            "issued_on", "response_deadline", "status", "overdue", "item_count", "read_at", "answered_at", "closed_at",
        ]  # fmt: skip


class LetterSerializer(LetterListSerializer):
    items = LetterItemSerializer(many=True)
    attachments = serializers.SerializerMethodField()

    class Meta(LetterListSerializer.Meta):
        fields = [*LetterListSerializer.Meta.fields, "body", "answer", "close_note", "items", "attachments"]

    def get_attachments(self, obj: Letter) -> list[dict]:
        # The scoped download view (there is no public URL for a stored file).
        return [
            {"name": a.name, "url": reverse("supervision:letter_attachment", args=[a.pk])}
            for a in obj.attachments.all()
        ]


class LetterItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    kind = serializers.CharField(max_length=40, required=False, default="manual")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    object_ref = serializers.RegexField(r"^[a-z_]+\.[a-z_]+:\d+$", max_length=80, required=False, default="")


@extend_schema_field(LetterItemInputSerializer)
class LetterItemField(serializers.Field):
    """An item is a plain text line or {title, kind, due_date, object_ref} (e.g. a due item from a list)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"title": data}
        ser = LetterItemInputSerializer(data=data)
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)

    def to_representation(self, value):
        return value


class LetterCreateSerializer(serializers.Serializer):
    addressee = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    items = serializers.ListField(child=LetterItemField(), allow_empty=False, max_length=200)
    response_days = serializers.IntegerField(min_value=1, max_value=90, required=False)


class LetterAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20000)


class LetterAnswerUploadSerializer(LetterAnswerSerializer):
    """The answer with attachments (multipart/form-data): ``files`` repeated once per file, each checked
    against the attachment rules (type, size) before anything is saved."""

    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20, label="附件"
    )


class LetterCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AccountabilitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = Accountability
        fields = ["id", "issuer", "organization", "organization_name", "period", "kind", "status", "basis",
                  "decision", "decided_on", "is_automatic", "created_at"]  # fmt: skip


class InspectionPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionPlan
        fields = ["id", "organization", "topic", "period", "start_on", "end_on", "target_root", "target_kinds",
                  "target_sectors", "method_reports", "method_documents", "method_site_visit", "status"]  # fmt: skip


class InspectionRecordSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name")

    class Meta:
        model = InspectionRecord
        fields = ["id", "plan", "target", "target_name", "status", "inspected_on", "summary", "score"]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "record", "category", "description", "severity", "rectify_by", "status", "problem_ref"]
