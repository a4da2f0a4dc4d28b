"""本单位设置 of supervision in the API: the issuer's three-letter rule (with its code word for letter numbers)
and its letter wording, for the user's own organization or ``?org=<code>`` in scope. Every write goes through
``rule_settings`` (scope, role, validation, audit), as the pages do."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import LabelledSerializer
from apps.core.periods import Period
from apps.core.scoping import org_in_scope_or_own
from apps.organizations.models import Organization

from .. import rule_settings
from ..choices import LetterKind
from ..models import LetterRule

ORG_PARAM = OpenApiParameter("org", str, description="发函单位的党组织代码（留空为本单位）", required=False)


def _issuer(request: Request, perm: str, message: str) -> Organization:
    if not request.user.has_perm(perm):
        raise PermissionDenied(message)
    return org_in_scope_or_own(request.user, request.query_params.get("org", ""))


# --- the letter rule --------------------------------------------------------------------------------------------


def _rule_field(name: str) -> serializers.Field:
    field = LetterRule._meta.get_field(name)
    label = str(field.verbose_name)
    if name.endswith("_day"):
        low = 0 if name == "warning_day" else 1
        return serializers.IntegerField(required=False, min_value=low, max_value=28, label=label, help_text=label)
    if isinstance(field.default, bool):
        return serializers.BooleanField(required=False, label=label, help_text=label)
    return serializers.IntegerField(required=False, min_value=1, max_value=60, label=label, help_text=label)


class LetterRuleInputSerializer(LabelledSerializer):
    doc_prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        label="发文机关代字",
        help_text="发文机关代字，如“东组”（文号：东组函〔2026〕3号）",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in rule_settings.RULE_FIELDS:
            fields[name] = _rule_field(name)
        return fields


class LetterScheduleRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    kind_label = serializers.CharField()
    issue_date = serializers.DateField()
    deadline = serializers.DateField()


class LetterRuleSerializer(LetterRuleInputSerializer):
    organization = serializers.IntegerField(read_only=True)
    organization_name = serializers.CharField(read_only=True)
    own = serializers.BooleanField(read_only=True, help_text="本单位已保存自己的规则（否则为默认规则）")
    number_sample = serializers.CharField(read_only=True, help_text="文号示例")
    schedule_period = serializers.CharField(read_only=True, help_text="发函安排所示的月份（下月）")
    schedule = LetterScheduleRowSerializer(many=True, read_only=True, help_text="下月各类函件的发函日期和答复期限")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in ["doc_prefix", *rule_settings.RULE_FIELDS]:
            fields[name].required = True  # always present in an answer
        return fields


def _rule_answer(issuer: Organization) -> Response:
    rule = rule_settings.letter_rule_for(issuer)
    period = Period.current().next()
    data: dict[str, Any] = {name: getattr(rule, name) for name in rule_settings.RULE_FIELDS}
    data.update(
        organization=issuer.pk,
        organization_name=issuer.name,
        own=rule.pk is not None,
        doc_prefix=issuer.doc_prefix,
        number_sample=rule_settings.number_sample(issuer.doc_prefix, period.year),
        schedule_period=period.label,
        schedule=rule_settings.schedule_of(rule, period) if rule.is_active else [],
        updated_at=rule.updated_at,
    )
    return Response(LetterRuleSerializer(data).data)


class LetterRuleView(APIView):
    """The issuer's three-letter rule: issue days, answer period, accountability threshold, number code word.
    GET reads it (the defaults when the issuer has none of its own), PUT changes the fields given, DELETE drops
    the issuer's own rule (the defaults apply again)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[ORG_PARAM], responses={200: LetterRuleSerializer})
    def get(self, request: Request) -> Response:
        return _rule_answer(_issuer(request, "supervision.view_letterrule", "您的角色不能查看三函规则。"))

    @extend_schema(parameters=[ORG_PARAM], request=LetterRuleInputSerializer, responses={200: LetterRuleSerializer})
    def put(self, request: Request) -> Response:
        issuer = _issuer(request, "supervision.change_letterrule", "您的角色不能修改三函规则。")
        ser = LetterRuleInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rule_settings.letter_rule_update(acting_user=request.user, issuer=issuer, data=ser.validated_data)
        issuer.refresh_from_db()
        return _rule_answer(issuer)

    @extend_schema(parameters=[ORG_PARAM], request=None, responses={200: LetterRuleSerializer})
    def delete(self, request: Request) -> Response:
        issuer = _issuer(request, "supervision.delete_letterrule", "您的角色不能修改三函规则。")
        rule_settings.letter_rule_delete(acting_user=request.user, issuer=issuer)
        return _rule_answer(issuer)


# --- letter templates -------------------------------------------------------------------------------------------


class LetterPlaceholderSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="占位符，如 {收函单位}")
    key = serializers.CharField(help_text="同义的英文写法，如 {addressee}")
    sample = serializers.CharField(help_text="预览时的示例值")


class LetterTemplateTextSerializer(LabelledSerializer):
    title = serializers.CharField(max_length=200, label="标题模板", help_text="标题模板（可用占位符）")
    body = serializers.CharField(max_length=5000, label="正文模板", help_text="正文模板（可用占位符）")


class LetterTemplateRenderedSerializer(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField()


class LetterTemplateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    kind_label = serializers.CharField()
    organization = serializers.IntegerField()
    own = serializers.BooleanField(help_text="本单位自己的措辞（否则为默认措辞）")
    title = serializers.CharField()
    body = serializers.CharField()
    preview = LetterTemplateRenderedSerializer(help_text="以示例值渲染的标题和正文")
    placeholders = LetterPlaceholderSerializer(many=True)


def _placeholders() -> list[dict[str, str]]:
    return [
        {"name": "{" + name + "}", "key": "{" + key + "}", "sample": rule_settings.PLACEHOLDERS[key]}
        for key, name in rule_settings.PLACEHOLDER_NAMES.items()
    ]


def _template_data(issuer: Organization, kind: str) -> dict[str, Any]:
    title, body, own = rule_settings.letter_template_for(issuer, kind)
    return {
        "kind": kind,
        "kind_label": str(LetterKind(kind).label),
        "organization": issuer.pk,
        "own": own,
        "title": rule_settings.placeholders_display(title),
        "body": rule_settings.placeholders_display(body),
        "preview": rule_settings.letter_template_preview(title=title, body=body, issuer=issuer),
        "placeholders": _placeholders(),
    }


def _kind(kind: str) -> str:
    if kind not in LetterKind.values:
        raise Http404("没有这类函件。")
    return kind


KIND_PARAM = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=LetterKind.values, description="函件类别")
VIEW_TEMPLATES = ("supervision.view_lettertemplate", "您的角色不能查看函件模板。")
CHANGE_TEMPLATES = ("supervision.change_lettertemplate", "您的角色不能修改函件模板。")


class LetterTemplateListView(APIView):
    """The issuer's wording of the three letters (its own, or the default), each with a rendered sample."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[ORG_PARAM], responses={200: LetterTemplateSerializer(many=True)})
    def get(self, request: Request) -> Response:
        issuer = _issuer(request, *VIEW_TEMPLATES)
        rows = [_template_data(issuer, kind) for kind in LetterKind.values]
        return Response(LetterTemplateSerializer(rows, many=True).data)


class LetterTemplateView(APIView):
    """One letter kind's wording. PUT sets the issuer's own (placeholders as {收函单位} or {addressee}); DELETE
    drops it (the default wording applies again)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[ORG_PARAM, KIND_PARAM], responses={200: LetterTemplateSerializer})
    def get(self, request: Request, kind: str) -> Response:
        issuer = _issuer(request, *VIEW_TEMPLATES)
        return Response(LetterTemplateSerializer(_template_data(issuer, _kind(kind))).data)

    @extend_schema(
        parameters=[ORG_PARAM, KIND_PARAM],
        request=LetterTemplateTextSerializer,
        responses={200: LetterTemplateSerializer},
    )
    def put(self, request: Request, kind: str) -> Response:
        issuer = _issuer(request, *CHANGE_TEMPLATES)
        kind = _kind(kind)
        ser = LetterTemplateTextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rule_settings.letter_template_update(acting_user=request.user, issuer=issuer, kind=kind, **ser.validated_data)
        return Response(LetterTemplateSerializer(_template_data(issuer, kind)).data)

    @extend_schema(parameters=[ORG_PARAM, KIND_PARAM], request=None, responses={200: LetterTemplateSerializer})
    def delete(self, request: Request, kind: str) -> Response:
        issuer = _issuer(request, *CHANGE_TEMPLATES)
        kind = _kind(kind)
        rule_settings.letter_template_reset(acting_user=request.user, issuer=issuer, kind=kind)
        return Response(LetterTemplateSerializer(_template_data(issuer, kind)).data)


class LetterTemplatePreviewView(APIView):
    """Render a wording with sample values without saving it (unknown placeholders or unpaired braces: 400)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[ORG_PARAM, KIND_PARAM],
        request=LetterTemplateTextSerializer,
        responses={200: LetterTemplateRenderedSerializer},
    )
    def post(self, request: Request, kind: str) -> Response:
        issuer = _issuer(request, *VIEW_TEMPLATES)
        kind = _kind(kind)
        ser = LetterTemplateTextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        title, body = rule_settings.validate_template(kind=kind, **ser.validated_data)
        return Response(rule_settings.letter_template_preview(title=title, body=body, issuer=issuer))
