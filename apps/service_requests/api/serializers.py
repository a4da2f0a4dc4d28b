from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.members.models import Member
from apps.organizations.models import Organization
from apps.service_requests.choices import Channel, ClaimantKind, Satisfaction
from apps.service_requests.models import (
    CommunityRegistration,
    MicroWish,
    ServiceCategory,
    ServiceRecord,
    ServiceRequest,
    ServiceStep,
)
from apps.service_requests.pii import requester_view


class ServiceStepSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = ServiceStep
        fields = ["id", "action", "action_display", "from_status", "to_status", "actor_name", "actor_org_name", "at",
                  "note", "attachment_name"]  # fmt: skip
        read_only_fields = fields


class ServiceRequestSerializer(serializers.ModelSerializer):
    """Requester data is always masked here; a full view is the page's audited 显示完整信息."""

    code = serializers.CharField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    category_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requester_name = serializers.SerializerMethodField()
    requester_phone = serializers.SerializerMethodField()
    requester_address = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "code", "organization", "organization_name", "origin_org", "channel", "requester_name",
            "requester_phone", "requester_address", "category", "category_name", "content", "received_at",
            "response_due_on", "due_on", "status", "status_display", "accepted_at", "answered_at",
            "followed_up_at", "closed_at", "assignee_org", "assignee_member", "assignee_agent", "result",
            "satisfaction", "reopen_count", "transfer_count", "escalated", "suspension_pending", "suspended_days",
            "responded_on_time", "closed_on_time", "workdays_to_close", "duplicate_of", "is_overdue",
        ]  # fmt: skip
        read_only_fields = fields

    def _who(self, obj: ServiceRequest) -> dict[str, Any]:
        request = self.context.get("request")
        return requester_view(getattr(request, "user", None), obj)

    def get_category_name(self, obj: ServiceRequest) -> str:
        return str(obj.category)

    def get_requester_name(self, obj: ServiceRequest) -> str:
        return self._who(obj)["name"]

    def get_requester_phone(self, obj: ServiceRequest) -> str:
        return self._who(obj)["phone"]

    def get_requester_address(self, obj: ServiceRequest) -> str:
        return self._who(obj)["address"]


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    steps = ServiceStepSerializer(many=True, read_only=True)

    class Meta(ServiceRequestSerializer.Meta):
        fields = [*ServiceRequestSerializer.Meta.fields, "follow_up_due_on", "steps"]
        read_only_fields = fields


class _OrgCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Organization.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return Organization.objects.visible_to(request.user).active() if request else Organization.objects.none()


class RegisterInputSerializer(serializers.Serializer):
    organization = _OrgCodeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    requester_name = serializers.CharField(max_length=50)
    requester_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    requester_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=ServiceCategory.objects.all())
    content = serializers.CharField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["category"].queryset = ServiceCategory.objects.visible_to(request.user)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField()


class AssignInputSerializer(serializers.Serializer):
    assignee_org = _OrgCodeField(required=False, allow_null=True)
    assignee_member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.none(), required=False, allow_null=True
    )
    assignee_agent = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["assignee_member"].queryset = Member.objects.visible_to(request.user)


class AnswerInputSerializer(serializers.Serializer):
    result = serializers.CharField()
    attachment = serializers.FileField(required=False, allow_null=True)


class FollowUpInputSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransferInputSerializer(serializers.Serializer):
    organization = _OrgCodeField()
    note = serializers.CharField()


class SuspendInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MicroWishSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MicroWish
        fields = ["id", "organization", "organization_name", "title", "content", "budget", "deadline", "status",
                  "status_display", "claimant_kind", "claimant_name", "claimed_at", "fulfilled_at", "fulfil_note",
                  "confirmed_at", "created_at"]  # fmt: skip
        read_only_fields = fields


class WishCreateInputSerializer(serializers.Serializer):
    organization = _OrgCodeField()
    title = serializers.CharField(max_length=100)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    beneficiary = serializers.CharField(required=False, allow_blank=True, default="")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)


class WishClaimInputSerializer(serializers.Serializer):
    claimant_kind = serializers.ChoiceField(choices=ClaimantKind.choices)
    claimant_name = serializers.CharField(required=False, allow_blank=True, default="")


class WishFulfilInputSerializer(serializers.Serializer):
    note = serializers.CharField()
    evidence = serializers.FileField()


class ServiceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRecord
        fields = ["id", "registration", "served_on", "hours", "people_served", "disputes_resolved", "content", "status",
                  "confirmed_at"]  # fmt: skip
        read_only_fields = fields


class RecordInputSerializer(serializers.Serializer):
    served_on = serializers.DateField()
    content = serializers.CharField(max_length=300)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    people_served = serializers.IntegerField(min_value=0, default=0)
    disputes_resolved = serializers.IntegerField(min_value=0, default=0)


class CommunityRegistrationSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="organization.name", read_only=True)
    home_org_name = serializers.CharField(source="home_org.name", read_only=True)
    member_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CommunityRegistration
        fields = [
            "id", "organization", "community_name", "home_org", "home_org_name", "kind", "member", "member_name",
            "post", "registered_on", "status", "status_display", "confirmed_at", "note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_member_name(self, obj: CommunityRegistration) -> str:
        return obj.member.name if obj.member_id and obj.member else ""


class RegistrationInputSerializer(serializers.Serializer):
    community = serializers.SlugRelatedField(slug_field="code", queryset=Organization.objects.filter(is_active=True))
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), required=False, allow_null=True)
    unit = _OrgCodeField(required=False, allow_null=True)
    registered_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["member"].queryset = Member.objects.visible_to(request.user)


class ServiceRatesSerializer(serializers.Serializer):
    """Counters of a scope and period, and the rates derived from them (percent to 0.1; null: nothing to divide)."""

    volume = serializers.IntegerField()
    responded = serializers.IntegerField()
    responded_on_time = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    followed_up = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    reopened = serializers.IntegerField()
    workdays_to_close = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    closure_rate = serializers.FloatField(allow_null=True)
    on_time_closure_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    avg_workdays_to_close = serializers.FloatField(allow_null=True)


class StatsOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class StatsChildSerializer(StatsOrgSerializer, ServiceRatesSerializer):
    pass


class StatsMonthSerializer(ServiceRatesSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class TopCategorySerializer(serializers.Serializer):
    name = serializers.CharField()
    volume = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="占比（%）")


class ServiceStatsSerializer(serializers.Serializer):
    organization = StatsOrgSerializer()
    start = serializers.CharField(help_text="YYYY-MM")
    end = serializers.CharField(help_text="YYYY-MM")
    # "from" and "to" are Python keywords: declared through the class namespace.
    locals()["from"] = serializers.DateField(help_text="起始日期（含）")
    locals()["to"] = serializers.DateField(help_text="截止日期（含）")
    generated_at = serializers.DateTimeField()
    total = ServiceRatesSerializer()
    children = StatsChildSerializer(many=True)
    months = StatsMonthSerializer(many=True)
    top_categories = TopCategorySerializer(many=True)
