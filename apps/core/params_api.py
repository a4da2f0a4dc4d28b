"""/api/v1/parameters/: the rule parameters (规则参数). Any signed-in user reads them; root administrators set
(``params.parameter_set``) or reset (``params.parameter_reset``) one, validated and audited there."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import params
from .api import LabelledSerializer
from .permissions import RootAdminWrites


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField()
    description = serializers.CharField()
    default = serializers.CharField(help_text="默认值（按代码列出的参数为各项代码，以逗号分隔）", allow_blank=True)
    default_display = serializers.CharField(help_text="默认值（可读形式）", allow_blank=True)
    value = serializers.CharField(help_text="当前值", allow_blank=True)
    value_display = serializers.CharField(help_text="当前值（可读形式）", allow_blank=True)
    overridden = serializers.BooleanField(help_text="已改为非默认值")


class ParameterInputSerializer(LabelledSerializer):
    value = serializers.CharField(
        label="参数值", max_length=1000, allow_blank=True, trim_whitespace=False,
        help_text="整数参数填整数；按代码列出的参数可填名称或代码，以逗号或顿号分隔（可为空）",
    )  # fmt: skip


def parameter_data(key: str) -> dict[str, Any]:
    default, description = params.DEFAULTS[key]
    value = params.get_param(key)
    return {"key": key, "description": description, "default": default.strip(),
            "default_display": params.value_display(key, default).strip(), "value": value.strip(),
            "value_display": params.value_display(key, value).strip(), "overridden": value != default}  # fmt: skip


KEY_PARAM = OpenApiParameter("key", str, OpenApiParameter.PATH, description="参数键，如 branch_max_members")


class ParameterListView(APIView):
    permission_classes = [RootAdminWrites]

    @extend_schema(responses={200: ParameterSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(ParameterSerializer([parameter_data(k) for k in sorted(params.DEFAULTS)], many=True).data)


class ParameterView(APIView):
    permission_classes = [RootAdminWrites]

    def _key(self, key: str) -> str:
        if key not in params.DEFAULTS:
            raise Http404(_("没有这个参数。"))
        return key

    @extend_schema(parameters=[KEY_PARAM], responses={200: ParameterSerializer})
    def get(self, request: Request, key: str) -> Response:
        return Response(ParameterSerializer(parameter_data(self._key(key))).data)

    @extend_schema(parameters=[KEY_PARAM], request=ParameterInputSerializer, responses={200: ParameterSerializer})
    def patch(self, request: Request, key: str) -> Response:
        key = self._key(key)
        ser = ParameterInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        params.parameter_set(acting_user=request.user, key=key, value=ser.validated_data["value"])
        return Response(ParameterSerializer(parameter_data(key)).data)

    @extend_schema(parameters=[KEY_PARAM], request=None, responses={200: ParameterSerializer})
    def delete(self, request: Request, key: str) -> Response:
        """Back to the default value."""
        key = self._key(key)
        params.parameter_reset(acting_user=request.user, key=key)
        return Response(ParameterSerializer(parameter_data(key)).data)
