"""Output shapes mask personal data by role; input shapes are separate and carry no rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.pii import can_see_full_pii, mask_phone, phone_for
from apps.members.choices import Category, Gender, MemberStatus, RecruitmentStage, TransferKind
from apps.members.codes import education_name, ethnicity_name
from apps.members.models import Member, Recruitment, Transfer
from apps.members.recruitment import EDITABLE_FIELDS as RECRUITMENT_FIELDS
from apps.members.services import EDITABLE_FIELDS
from apps.organizations.models import Organization


def _user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class MemberSerializer(serializers.ModelSerializer):
    """List rows show the stored masked ID (no decryption); ``id_number`` is full only in the detail view for
    roster admins / system admins, and that read is audited by the view."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    ethnicity_display = serializers.SerializerMethodField()
    education_display = serializers.SerializerMethodField()
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "gender",
            "gender_display",
            "ethnicity",
            "ethnicity_display",
            "birth_date",
            "education",
            "education_display",
            "phone",
            "work_unit",
            "position",
            "category",
            "category_display",
            "joined_on",
            "status",
            "status_display",
            "organization",
            "organization_name",
            "party_post",
            "mobile_state",
            "lost_contact",
        ]
        read_only_fields = fields

    def to_representation(self, obj: Member) -> dict[str, Any]:
        """Built by hand: DRF's per-field machinery was most of the API list's cost (same keys as declared)."""
        cache = self.context.setdefault("_member_repr", {})
        if not cache:
            from apps.members.selectors import _labels

            cache.update(
                full=can_see_full_pii(_user(self)),
                gender=_labels(Gender.choices),
                category=_labels(Category.choices),
                status=_labels(MemberStatus.choices),
            )
        full = cache["full"]
        return {
            "id": obj.pk,
            "name": obj.name,
            "id_number": obj.id_number if (full and self.context.get("full_id")) else obj.id_masked,
            "gender": obj.gender,
            "gender_display": cache["gender"].get(obj.gender, ""),
            "ethnicity": obj.ethnicity,
            "ethnicity_display": ethnicity_name(obj.ethnicity),
            "birth_date": obj.birth_date.isoformat() if obj.birth_date else None,
            "education": obj.education,
            "education_display": education_name(obj.education),
            "phone": obj.phone if full else mask_phone(obj.phone),
            "work_unit": obj.work_unit,
            "position": obj.position,
            "category": obj.category,
            "category_display": cache["category"].get(obj.category, ""),
            "joined_on": obj.joined_on.isoformat() if obj.joined_on else None,
            "status": obj.status,
            "status_display": cache["status"].get(obj.status, ""),
            "organization": obj.organization_id,
            "organization_name": obj.organization.name,
            "party_post": obj.party_post,
            "mobile_state": obj.mobile_state,
            "lost_contact": obj.lost_contact,
        }

    def get_id_number(self, obj: Member) -> str:
        if self.context.get("full_id") and can_see_full_pii(_user(self)):
            return obj.id_number
        return obj.id_masked

    def get_phone(self, obj: Member) -> str:
        return phone_for(_user(self), obj.phone)

    def get_ethnicity_display(self, obj: Member) -> str:
        return ethnicity_name(obj.ethnicity)

    def get_education_display(self, obj: Member) -> str:
        return education_name(obj.education)


class MemberDetailSerializer(MemberSerializer):
    def to_representation(self, obj: Member) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, obj)

    class Meta(MemberSerializer.Meta):
        fields = [
            *MemberSerializer.Meta.fields,
            "native_place",
            "occupation_category",
            "confirmed_on",
            "probation_ends_on",
            "party_group",
            "status_changed_on",
            "mobile_place",
            "mobile_since",
            "mobile_contact",
            "lost_contact_since",
            "lost_contact_reason",
            "points",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberWriteSerializer(serializers.ModelSerializer):
    """The body of PUT / PATCH: ``organization`` and ``id_number`` are optional (absent: unchanged), and the
    masked ID number a GET returns, sent back as it was, also means "unchanged" (it is not a new ID number)."""

    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, help_text="所在党组织（不填则不变）"
    )
    party_group = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )
    id_number = serializers.CharField(
        max_length=30, required=False, help_text="身份证号（不填或原样传回查询所得的脱敏号码，则不变）"
    )

    class Meta:
        model = Member
        fields = ["organization", "id_number", *EDITABLE_FIELDS]
        extra_kwargs = {"gender": {"required": False}}  # taken from the ID number when absent

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            visible = Organization.objects.visible_to(user).active()
            self.fields["organization"].queryset = visible
            self.fields["party_group"].queryset = visible.filter(kind="party_group")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        member = self.instance
        if member is not None and member.id_masked and attrs.get("id_number") == member.id_masked:
            del attrs["id_number"]
        return attrs


class MemberCreateSerializer(MemberWriteSerializer):
    """The body of POST: a new member needs its organization and ID number."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), label="所在党组织")
    id_number = serializers.CharField(max_length=30, label="身份证号")


class MemberContactSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    work_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    position = serializers.CharField(max_length=50, required=False, allow_blank=True)
    party_group = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["party_group"].queryset = Organization.objects.visible_to(user).filter(kind="party_group")


class MemberStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MemberStatus.choices)
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RecruitmentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_masked", read_only=True)
    phone = serializers.SerializerMethodField()
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Recruitment
        fields = [
            "id",
            "id_number",
            "organization",
            "organization_name",
            "stage",
            "stage_display",
            "birth_date",
            "gender",
            "probation_ends_on",
            "probation_extended_months",
            "member",
            *RECRUITMENT_FIELDS,
        ]
        read_only_fields = fields

    def get_phone(self, obj: Recruitment) -> str:
        return phone_for(_user(self), obj.phone)


class RecruitmentWriteSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), required=False)
    id_number = serializers.CharField(max_length=30, required=False)
    contacts = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), many=True, required=False)
    introducers = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), many=True, required=False)

    class Meta:
        model = Recruitment
        fields = ["organization", "id_number", "contacts", "introducers", *RECRUITMENT_FIELDS]
        extra_kwargs = {"gender": {"required": False}, "applied_on": {"required": False}, "name": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["organization"].queryset = Organization.objects.visible_to(user).active()
            members = Member.objects.visible_to(user).active()
            self.fields["contacts"].child_relation.queryset = members
            self.fields["introducers"].child_relation.queryset = members


class RecruitmentCreateSerializer(RecruitmentWriteSerializer):
    """The body of POST: organization, ID number, name and application date are required; contacts and
    introducers are named later (PATCH), once the applicant is an activist."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), label="所在党组织")
    id_number = serializers.CharField(max_length=30, label="身份证号")

    class Meta(RecruitmentWriteSerializer.Meta):
        fields = ["organization", "id_number", *RECRUITMENT_FIELDS]
        extra_kwargs = {"gender": {"required": False}, "applied_on": {"required": True}, "name": {"required": True}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        serializers.ModelSerializer.__init__(self, *args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["organization"].queryset = Organization.objects.visible_to(user).active()


class RecruitmentUpdateSerializer(RecruitmentWriteSerializer):
    """The body of PUT / PATCH (both partial: absent fields are unchanged). The organization and the ID number
    are fixed once the application is recorded."""

    class Meta(RecruitmentWriteSerializer.Meta):
        fields = ["contacts", "introducers", *RECRUITMENT_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        serializers.ModelSerializer.__init__(self, *args, **kwargs)
        user = _user(self)
        if user is not None:
            members = Member.objects.visible_to(user).active()
            self.fields["contacts"].child_relation.queryset = members
            self.fields["introducers"].child_relation.queryset = members


class RecruitmentAdvanceSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=RecruitmentStage.choices)


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "from_org",
            "from_org_name",
            "to_org",
            "to_org_name",
            "outside_destination",
            "reason",
            "status",
            "status_display",
            "letter_number",
            "valid_until",
            "return_reason",
            "requested_at",
            "approved_at",
            "closed_at",
        ]
        read_only_fields = fields


class TransferRequestSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none())
    kind = serializers.ChoiceField(choices=TransferKind.choices, required=False, default="internal")
    to_org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.active(), required=False, allow_null=True)
    outside_destination = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["member"].queryset = Member.objects.visible_to(user)


class TransferApproveSerializer(serializers.Serializer):
    letter_number = serializers.CharField(required=False, allow_blank=True, max_length=50)


class TransferReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
