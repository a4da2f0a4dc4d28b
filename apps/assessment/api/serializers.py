from __future__ import annotations

from rest_framework import serializers

from apps.assessment.models import (
    Appeal,
    AssessmentPlan,
    AssessmentResult,
    DutyReport,
    Indicator,
    ItemScore,
    RaterScore,
)


class PlanSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = AssessmentPlan
        fields = [
            "id", "organization", "organization_name", "year", "title", "scope_kinds", "scope_sectors", "status",
            "rater_combine", "bonus_cap", "deduction_cap", "grading_method", "advanced_min_score",
            "lagging_below_score", "advanced_quota_percent", "lagging_quota_percent", "star_thresholds",
            "appeal_days", "appeal_deadline", "computed_at", "published_at",
        ]  # fmt: skip
        read_only_fields = ["organization", "status", "appeal_deadline", "computed_at", "published_at"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "plan", "parent", "seq", "name", "category", "points", "method", "metric_name", "rule",
                  "criteria"]  # fmt: skip


class ItemScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemScore
        fields = ["indicator", "category", "points", "figure", "evidence", "adjusted_by_appeal"]


class ResultSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = AssessmentResult
        fields = [
            "id", "plan", "organization", "organization_name", "base_points", "bonus_points", "deduction_points",
            "total", "rank", "grade", "star_rating", "vetoed", "veto_reason", "marked_for_consolidation",
        ]  # fmt: skip


class RaterScoreSerializer(serializers.ModelSerializer):
    rater_name = serializers.CharField(source="rater.display_name", read_only=True)

    class Meta:
        model = RaterScore
        fields = ["id", "result", "indicator", "rater", "rater_name", "points", "evidence", "scored_at"]
        read_only_fields = ["rater", "scored_at"]


class RaterScoreInputSerializer(serializers.Serializer):
    result = serializers.IntegerField()
    indicator = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class DutyReportSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = DutyReport
        fields = [
            "id", "organization", "organization_name", "year", "reporter_name", "title", "text", "status",
            "submitted_at", "votes_good", "votes_fair", "votes_average", "votes_poor", "rating", "review_comment",
            "reviewed_at",
        ]  # fmt: skip


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "result", "indicator", "reason", "status", "submitted_at", "answer", "points_before",
                  "points_after", "answered_at"]  # fmt: skip
        read_only_fields = ["status", "submitted_at", "answer", "points_before", "points_after", "answered_at"]
