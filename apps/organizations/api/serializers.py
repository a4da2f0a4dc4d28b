from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.organizations.choices import Grade, Sector
from apps.organizations.models import Organization
from apps.organizations.services import EDITABLE_FIELDS


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="kind_label", read_only=True)
    sector_display = serializers.CharField(source="sector_label", read_only=True)
    grade_display = serializers.CharField(source="grade_label", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None, allow_null=True)
    # Not set yet is "" (documented as a blank choice), as stored.
    sector = serializers.ChoiceField(choices=Sector.choices, allow_blank=True, read_only=True)
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "parent",
            "parent_name",
            "path",
            "depth",
            "descendant_count",
            "term_due_on",
            "is_active",
            "dissolved_on",
            "kind_display",
            "sector_display",
            "grade_display",
            *EDITABLE_FIELDS,
        ]
        read_only_fields = fields


class OrganizationWriteSerializer(serializers.ModelSerializer):
    """Input shape only; the service validates the rules. ``parent`` is chosen from the user's scope."""

    parent = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), required=False, allow_null=True)

    class Meta:
        model = Organization
        fields = ["parent", *EDITABLE_FIELDS]
        extra_kwargs = {"code": {"validators": []}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            member_model = Organization.secretary_member.field.related_model  # members sit above organizations
            if "parent" in self.fields:
                self.fields["parent"].queryset = Organization.objects.visible_to(request.user).active()
            self.fields["secretary_member"].queryset = member_model.objects.visible_to(request.user).active()
        if self.instance is not None:
            self.fields.pop("parent", None)


class OrganizationUpdateSerializer(OrganizationWriteSerializer):
    """The body of PUT / PATCH: the editable fields; the parent changes only through ``move``."""

    class Meta(OrganizationWriteSerializer.Meta):
        fields = list(EDITABLE_FIELDS)


class OrganizationMoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["parent"].queryset = Organization.objects.visible_to(request.user).active()


class OrganizationDissolveSerializer(serializers.Serializer):
    dissolved_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
