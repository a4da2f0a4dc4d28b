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
from apps.core.api import RequiredBooleanField


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
    attachment_name = serializers.CharField(read_only=True)

    class Meta:
        model = DutyReport
        fields = [
            "id", "organization", "organization_name", "year", "reporter_name", "title", "text", "attachment_name",
            "status", "submitted_at", "votes_good", "votes_fair", "votes_average", "votes_poor", "rating",
            "review_comment", "reviewed_at",
        ]  # fmt: skip


class DutyReportInputSerializer(serializers.Serializer):
    """Write (or rewrite, until reviewed) the caller's organization's report for a year; ``submit`` sends it."""

    year = serializers.IntegerField(label="年度", min_value=2000, max_value=2100)
    reporter_name = serializers.CharField(label="述职人", max_length=50)
    title = serializers.CharField(label="标题", max_length=200)
    text = serializers.CharField(label="述职内容")
    attachment = serializers.FileField(label="附件", required=False, allow_null=True)
    submit = serializers.BooleanField(label="提交", required=False, default=False)


class DutyReviewInputSerializer(serializers.Serializer):
    """The review meeting's votes (好/较好/一般/差) and comment; the rating follows from the votes."""

    good = serializers.IntegerField(label="好", min_value=0, max_value=100000)
    fair = serializers.IntegerField(label="较好", min_value=0, max_value=100000)
    average = serializers.IntegerField(label="一般", min_value=0, max_value=100000)
    poor = serializers.IntegerField(label="差", min_value=0, max_value=100000)
    comment = serializers.CharField(label="评议意见", required=False, allow_blank=True, default="")


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "result", "indicator", "reason", "status", "submitted_at", "answer", "points_before",
                  "points_after", "answered_at"]  # fmt: skip
        read_only_fields = ["status", "submitted_at", "answer", "points_before", "points_after", "answered_at"]


class AppealInputSerializer(serializers.Serializer):
    """The assessed organization contests an item (``indicator``) or its total (no indicator) in the window."""

    result = serializers.IntegerField(label="考核结果")
    indicator = serializers.IntegerField(label="申诉指标", required=False, allow_null=True, default=None)
    reason = serializers.CharField(label="申诉理由")


class AppealAnswerInputSerializer(serializers.Serializer):
    """Staff of the issuing organization answer; accepting with ``new_points`` corrects the item."""

    accept = RequiredBooleanField(label="是否采纳")
    answer = serializers.CharField(label="答复意见")
    new_points = serializers.DecimalField(label="调整后得分", max_digits=6, decimal_places=2, required=False,
                                          allow_null=True, default=None)  # fmt: skip
