"""REST endpoints of the members' rule tables kept by root administrators: the recruitment intervals
(发展党员时间规则) and the dues brackets (党费交纳标准). Any signed-in user reads them (they are regulations);
writes go through the services (``rule_settings``, ``dues_brackets``), which check the root administrator,
validate and audit."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import LabelledSerializer, RequiredBooleanField, RootTableViewSet, root_table_schema
from apps.core.permissions import RootAdminWrites
from apps.core.text import is_digits

from .. import dues_brackets as brackets_svc
from ..dues import TABLE_2008, Bracket
from ..dues_models import DuesBracket, DuesCategory
from ..models import RecruitmentRule
from ..rule_settings import recruitment_rule_create, recruitment_rule_update
from ..settings_views import RecruitmentRule_field_label

# --- recruitment intervals -----------------------------------------------------------------------------------


def _interval(months: int | None, days: int | None) -> str:
    return "".join([f"{months}个月" if months else "", f"{days}天" if days else ""]) or "—"


class RecruitmentRuleSerializer(serializers.ModelSerializer):
    from_field_label = serializers.SerializerMethodField(help_text="起始日期字段的名称")
    to_field_label = serializers.SerializerMethodField(help_text="终止日期字段的名称")
    waived_by_label = serializers.SerializerMethodField(help_text="填写后可豁免的字段的名称（未设为空）")
    min_interval = serializers.SerializerMethodField(help_text="最短间隔，如「3个月」（未设为「—」）")
    max_interval = serializers.SerializerMethodField(help_text="最长间隔（未设为「—」）")
    source = serializers.CharField(source="message", read_only=True, help_text="依据（即提示信息，含所依据的规定）")

    class Meta:
        model = RecruitmentRule
        fields = [
            "id", "code", "from_field", "from_field_label", "to_field", "to_field_label", "min_months", "min_days",
            "max_months", "max_days", "min_interval", "max_interval", "waived_by", "waived_by_label", "message",
            "source", "is_active",
        ]  # fmt: skip
        read_only_fields = fields

    def get_from_field_label(self, obj: RecruitmentRule) -> str:
        return RecruitmentRule_field_label(obj.from_field)

    def get_to_field_label(self, obj: RecruitmentRule) -> str:
        return RecruitmentRule_field_label(obj.to_field)

    def get_waived_by_label(self, obj: RecruitmentRule) -> str:
        return RecruitmentRule_field_label(obj.waived_by) if obj.waived_by else ""

    def get_min_interval(self, obj: RecruitmentRule) -> str:
        return _interval(obj.min_months, obj.min_days)

    def get_max_interval(self, obj: RecruitmentRule) -> str:
        return _interval(obj.max_months, obj.max_days)


def _count(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(label=label, required=False, allow_null=True)


class RecruitmentRuleUpdateSerializer(LabelledSerializer):
    """PUT: every editable item (an interval left out is cleared); PATCH: only those sent."""

    min_months = _count("最短间隔（月）")
    min_days = _count("最短间隔（天）")
    max_months = _count("最长间隔（月）")
    max_days = _count("最长间隔（天）")
    message = serializers.CharField(label="提示信息（含依据）", max_length=200)
    is_active = RequiredBooleanField(label="启用")


class RecruitmentRuleCreateSerializer(RecruitmentRuleUpdateSerializer):
    code = serializers.CharField(label="规则代码", max_length=50, help_text="英文字母、数字、下划线或连字符")
    from_field = serializers.CharField(label="起始日期字段", max_length=40, help_text="发展党员记录中的日期字段名")
    to_field = serializers.CharField(label="终止日期字段", max_length=40, help_text="发展党员记录中的日期字段名")
    waived_by = serializers.CharField(label="填写后可豁免的字段", max_length=40, required=False, allow_blank=True)
    is_active = serializers.BooleanField(label="启用", required=False, default=True)


@root_table_schema(RecruitmentRuleSerializer, RecruitmentRuleCreateSerializer, RecruitmentRuleUpdateSerializer)
class RecruitmentRuleViewSet(RootTableViewSet):
    """发展党员时间规则 (the whole table, not paged). Writes: root administrators only."""

    queryset = RecruitmentRule.objects.order_by("code")
    serializer_class = RecruitmentRuleSerializer
    create_serializer_class = RecruitmentRuleCreateSerializer
    update_serializer_class = RecruitmentRuleUpdateSerializer
    put_clears = {"min_months": None, "min_days": None, "max_months": None, "max_days": None}

    def create_row(self, *, acting_user: Any, data: dict[str, Any]) -> RecruitmentRule:
        return recruitment_rule_create(acting_user=acting_user, data=data)

    def update_row(self, *, acting_user: Any, obj: Any, data: dict[str, Any]) -> RecruitmentRule:
        return recruitment_rule_update(acting_user=acting_user, obj=obj, data=data)


# --- dues brackets -------------------------------------------------------------------------------------------


class BracketRowSerializer(LabelledSerializer):
    upper_bound = serializers.DecimalField(
        label="基数上限（元，含）", max_digits=14, decimal_places=2, required=False, allow_null=True,
        help_text="最后一档留空（不设上限）",
    )  # fmt: skip
    rate_percent = serializers.DecimalField(
        label="比例（%）", max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    fixed_amount = serializers.DecimalField(
        label="每月固定金额（元）", max_digits=14, decimal_places=2, required=False, allow_null=True,
        help_text="与比例只能填一项",
    )  # fmt: skip


class BracketRowOutSerializer(BracketRowSerializer):
    range_display = serializers.CharField(read_only=True, help_text="基数范围，如「3000元以上至5000元（含）」")
    value_display = serializers.CharField(read_only=True, help_text="比例或金额，如「1%」「每月0.20元」")


class DuesBracketTableSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="执行年度（2008 为全国统一标准）")
    category = serializers.ChoiceField(choices=DuesCategory.choices)
    category_display = serializers.CharField()
    builtin = serializers.BooleanField(help_text="2008年全国统一标准（内置，不能修改）")
    note = serializers.CharField(help_text="依据（省级标准录入的文件名称和条款；内置标准为空）", allow_blank=True)
    source = serializers.CharField(help_text="依据：内置标准为中组发〔2008〕3号及条款，省级标准同 note")
    in_use = serializers.BooleanField(help_text="已有该标准所管月份的党费交纳记录（不能再修改或删除）")
    rows = BracketRowOutSerializer(many=True)


class DuesBracketTableInputSerializer(LabelledSerializer):
    rows = serializers.ListField(
        label="各档标准", child=BracketRowSerializer(), max_length=brackets_svc.MAX_ROWS,
        help_text=f"按基数由低到高，最多{brackets_svc.MAX_ROWS}档",
    )  # fmt: skip
    note = serializers.CharField(
        label="依据", max_length=200, allow_blank=True, help_text="文件名称和条款，例如《××省党费收缴管理办法》第三条"
    )


def _rows(brackets: list[Bracket]) -> list[dict[str, Any]]:
    out, lower = [], None
    for b in brackets:
        rng, value = brackets_svc.bracket_text(b, lower)
        out.append({"upper_bound": b.upper_bound, "rate_percent": b.rate_percent, "fixed_amount": b.fixed_amount,
                    "range_display": rng, "value_display": value})  # fmt: skip
        lower = b.upper_bound
    return out


def _builtin_table(category: str) -> dict[str, Any]:
    return {"year": brackets_svc.BUILTIN_YEAR, "category": category, "category_display": DuesCategory(category).label,
            "builtin": True, "note": "", "source": brackets_svc.builtin_source(category),
            "in_use": brackets_svc.table_in_use(brackets_svc.BUILTIN_YEAR, category),
            "rows": _rows(TABLE_2008[category])}  # fmt: skip


def _stored_table(year: int, category: str, note: str, in_use: bool | None = None) -> dict[str, Any]:
    rows = [Bracket(**r) for r in brackets_svc.bracket_rows_of(year, category)]
    if in_use is None:
        in_use = brackets_svc.table_in_use(year, category)
    return {"year": year, "category": category, "category_display": DuesCategory(category).label, "builtin": False,
            "note": note, "source": note, "in_use": in_use, "rows": _rows(rows)}  # fmt: skip


YEAR_FILTER = OpenApiParameter("year", int, description="只列出该执行年度的标准（2008 为内置全国标准）", required=False)


class DuesBracketListView(APIView):
    """GET /members/dues-brackets/: the built-in 2008 table of each category, then every province table."""

    permission_classes = [RootAdminWrites]

    @extend_schema(parameters=[YEAR_FILTER], responses={200: DuesBracketTableSerializer(many=True)})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("year", "").strip()
        year = None
        if raw:
            if not is_digits(raw, 4):
                raise serializers.ValidationError({"year": [_("执行年度：请填写四位数年份，例如 2027。")]})
            year = int(raw)
        tables = []
        if year in (None, brackets_svc.BUILTIN_YEAR):
            tables = [_builtin_table(category) for category in DuesCategory.values]
        for item in brackets_svc.province_tables():
            if year is None or item["year"] == year:
                tables.append(_stored_table(item["year"], item["category"], item["source"], item["in_use"]))
        return Response(DuesBracketTableSerializer(tables, many=True).data)


CATEGORY_PARAM = OpenApiParameter("category", str, OpenApiParameter.PATH, enum=DuesCategory.values,
                                  description="党员类别")  # fmt: skip
YEAR_PARAM = OpenApiParameter("year", int, OpenApiParameter.PATH, description="执行年度")


class DuesBracketTableView(APIView):
    """One category's table of one year: GET (2008 = the built-in one), PUT (create or replace a province's
    table, with its source), DELETE (before any dues payment it governs was recorded)."""

    permission_classes = [RootAdminWrites]

    def _check(self, year: int, category: str) -> None:
        if category not in DuesCategory.values or not 1 <= year <= 9999:
            raise Http404(_("没有这一党费交纳标准。"))

    def _stored(self, year: int, category: str) -> dict[str, Any]:
        note = (
            DuesBracket.objects.filter(year=year, category=category).order_by("id").values_list("note", flat=True)
        ).first()
        if note is None:
            raise Http404(_("没有这一党费交纳标准。"))
        return _stored_table(year, category, note)

    @extend_schema(parameters=[YEAR_PARAM, CATEGORY_PARAM], responses={200: DuesBracketTableSerializer})
    def get(self, request: Request, year: int, category: str) -> Response:
        self._check(year, category)
        if year == brackets_svc.BUILTIN_YEAR:
            return Response(DuesBracketTableSerializer(_builtin_table(category)).data)
        return Response(DuesBracketTableSerializer(self._stored(year, category)).data)

    @extend_schema(
        parameters=[YEAR_PARAM, CATEGORY_PARAM],
        request=DuesBracketTableInputSerializer,
        responses={200: DuesBracketTableSerializer},
    )
    def put(self, request: Request, year: int, category: str) -> Response:
        if category not in DuesCategory.values:
            raise Http404(_("没有这一党费交纳标准。"))
        ser = DuesBracketTableInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        brackets_svc.bracket_table_save(
            acting_user=request.user, year=year, category=category, rows=[dict(r) for r in ser.validated_data["rows"]],
            note=ser.validated_data["note"],
        )  # fmt: skip
        return Response(DuesBracketTableSerializer(self._stored(year, category)).data)

    @extend_schema(parameters=[YEAR_PARAM, CATEGORY_PARAM], request=None, responses={204: None})
    def delete(self, request: Request, year: int, category: str) -> Response:
        self._check(year, category)
        self._stored(year, category)
        brackets_svc.bracket_table_delete(acting_user=request.user, year=year, category=category)
        return Response(status=204)
