from __future__ import annotations

from rest_framework import serializers


class StatsQuerySerializer(serializers.Serializer):
    org = serializers.CharField(required=False, help_text="党组织代码（默认本人所在组织）")
    as_of = serializers.DateField(required=False, help_text="统计日期 YYYY-MM-DD（取该日或此前最近一次快照）")


class TrendQuerySerializer(serializers.Serializer):
    org = serializers.CharField(required=False, help_text="党组织代码（默认本人所在组织）")
    months = serializers.IntegerField(required=False, min_value=1, max_value=24, default=12)


class OrgRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BreakdownItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class MemberStatsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField(help_text="党籍正常的党员数")
    breakdowns = serializers.DictField(child=BreakdownItemSerializer(many=True))
    children = serializers.ListField(child=serializers.DictField())


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class OrganizationStatsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)
    figures = FigureSerializer(many=True)


class TrendSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    values = serializers.ListField(child=serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True))


class TrendsSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    months = serializers.ListField(child=serializers.CharField())
    series = TrendSeriesSerializer(many=True)
