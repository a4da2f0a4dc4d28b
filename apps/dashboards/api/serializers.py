from __future__ import annotations

from rest_framework import serializers


def as_of_field(help_text: str) -> serializers.DateField:
    """``as_of`` of every stats endpoint: an ISO date; a bad one is a 400 whose message names the field."""
    return serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=help_text,
        error_messages={"invalid": "统计日期（as_of）格式应为 YYYY-MM-DD。"},
    )


class StatsQuerySerializer(serializers.Serializer):
    org = serializers.CharField(required=False, help_text="党组织代码（默认本人所在组织）")
    as_of = as_of_field("统计日期 YYYY-MM-DD（取该日或此前最近一次快照）")


class TrendQuerySerializer(serializers.Serializer):
    org = serializers.CharField(required=False, help_text="党组织代码（默认本人所在组织）")
    as_of = as_of_field("统计日期 YYYY-MM-DD：取该日或此前最近一次快照的日期，趋势截至该日期所在月（默认最近一次快照）")
    months = serializers.IntegerField(required=False, min_value=1, max_value=24, default=12)


class OrgRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BreakdownItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ChildTotalSerializer(OrgRefSerializer):
    total = serializers.IntegerField()


class MemberStatsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField(help_text="党籍正常的党员数")
    breakdowns = serializers.DictField(child=BreakdownItemSerializer(many=True))
    children = ChildTotalSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    # A JSON number (counts and amounts as stored, rates to 0.1), or null when there is nothing to divide by.
    value = serializers.FloatField(allow_null=True)


class OrganizationStatsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)
    figures = FigureSerializer(many=True)


class TrendSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    # One JSON number per month (null: a rate with nothing to divide by), in the order of ``months``.
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class TrendsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    as_of = serializers.DateField(allow_null=True, help_text="所用快照的日期（趋势截至该日期所在月）")
    refreshed_at = serializers.DateTimeField(allow_null=True)
    months = serializers.ListField(child=serializers.CharField())
    series = TrendSeriesSerializer(many=True)
