"""REST endpoint of the branch general meeting's votes: /api/v1/members/votes/ (list, detail, create)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits

from .. import votes as services
from ..appraisal_models import Appraisal
from ..contact_models import BranchVote, VoteKind
from ..models import Recruitment


class BranchVoteSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = BranchVote
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "kind_display",
            "subject",
            "recruitment",
            "appraisal",
            "held_on",
            "eligible",
            "present",
            "votes_for",
            "votes_against",
            "abstentions",
            "quorum_met",
            "passed",
        ]


class BranchVoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label="表决类别", choices=VoteKind.choices)
    organization = serializers.IntegerField(label="党支部", required=False, help_text="其他决议必填")
    recruitment = serializers.IntegerField(label="发展党员记录", required=False, help_text="接收、转正必填")
    appraisal = serializers.IntegerField(label="民主评议", required=False, help_text="民主评议评定结果必填")
    subject = serializers.CharField(label="表决事项", max_length=200, required=False, allow_blank=True)
    held_on = serializers.DateField(label="支部党员大会日期")
    present = serializers.IntegerField(label="到会有表决权的正式党员", min_value=0)
    votes_for = serializers.IntegerField(label="赞成", min_value=0)
    against = serializers.IntegerField(label="反对", min_value=0)
    abstain = serializers.IntegerField(label="弃权", min_value=0)


class BranchVoteViewSet(ScopedReadOnlyViewSet):
    """支部党员大会表决. Filters: kind, year."""

    queryset = BranchVote.objects.all()
    serializer_class = BranchVoteSerializer

    def get_permissions(self) -> list:
        if self.action == "create":
            self._ignore_model_permissions = True  # the service checks members.add_branchvote
        return super().get_permissions()

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        qs = qs.select_related("organization").order_by("-held_on", "-id")
        kind = self.request.query_params.get("kind", "")
        if kind in VoteKind.values:
            qs = qs.filter(kind=kind)
        year = self.request.query_params.get("year", "")
        return qs.filter(held_on__year=int(year)) if is_digits(year, 4) else qs

    @extend_schema(request=BranchVoteInputSerializer, responses={201: BranchVoteSerializer})
    def create(self, request: Request) -> Response:
        from apps.organizations.models import Organization

        ser = BranchVoteInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(ser.validated_data)
        user = request.user
        recruitment = (
            get_visible_or_404(Recruitment.objects.select_related("organization"), user, pk=data["recruitment"])
            if data.get("recruitment")
            else None
        )
        appraisal = (
            get_visible_or_404(Appraisal.objects.select_related("organization"), user, pk=data["appraisal"])
            if data.get("appraisal")
            else None
        )
        if data.get("organization"):
            organization = get_visible_or_404(Organization, user, pk=data["organization"])
        else:
            organization = (recruitment or appraisal).organization if (recruitment or appraisal) else None
        if organization is None:
            raise serializers.ValidationError({"organization": ["请选择党支部。"]})
        vote = services.branch_vote_record(
            acting_user=user,
            organization=organization,
            kind=data["kind"],
            subject=data.get("subject") or "",
            recruitment=recruitment,
            appraisal=appraisal,
            held_on=data["held_on"],
            present=data["present"],
            votes_for=data["votes_for"],
            against=data["against"],
            abstain=data["abstain"],
        )
        return Response(BranchVoteSerializer(vote).data, status=201)
