"""/api/v1/responsibility/life-day/: the 组织生活日 of the user's organization (or ``?org=<code>`` below it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.periods import Period
from apps.core.scoping import org_in_scope_or_own
from apps.organizations.models import Organization

from .. import life_day
from ..life_day_models import WEEKDAYS, WEEKS, LifeDayRule


class LifeDaySerializer(serializers.Serializer):
    organization = serializers.IntegerField(read_only=True)
    own = serializers.BooleanField(read_only=True, help_text="本单位自己的设置（否则为继承上级或未设置）")
    source_organization_name = serializers.CharField(read_only=True, allow_null=True)
    rule = serializers.ChoiceField(choices=LifeDayRule.choices, allow_null=True)
    week = serializers.ChoiceField(choices=WEEKS, required=False, allow_null=True)
    weekday = serializers.ChoiceField(choices=WEEKDAYS, required=False, allow_null=True)
    day = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=28)
    postpone_on_holiday = serializers.BooleanField(required=False, default=True)
    description = serializers.CharField(read_only=True, allow_null=True)
    upcoming = serializers.ListField(child=serializers.DateField(), read_only=True)


ORG_PARAM = OpenApiParameter("org", str, description="党组织代码（留空为本单位）", required=False)


class LifeDayView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _organization(self, request: Request) -> Organization:
        if not request.user.has_perm("responsibility.change_orglifeday"):
            raise PermissionDenied("您的角色不能设置组织生活日。")
        return org_in_scope_or_own(request.user, request.query_params.get("org", ""))

    def _answer(self, organization: Organization) -> Response:
        setting, own = life_day.effective_for(organization)
        data: dict[str, Any] = {"organization": organization.pk, "own": own, "source_organization_name": None,
                                "rule": None, "week": None, "weekday": None, "day": None,
                                "postpone_on_holiday": True, "description": None, "upcoming": []}  # fmt: skip
        if setting is not None:
            period, upcoming = Period.current(), []
            for _i in range(6):
                upcoming.append(life_day.date_in(setting, period))
                period = period.next()
            data.update({name: getattr(setting, name) for name in life_day.FIELDS})
            data.update(source_organization_name=setting.organization.name, description=setting.describe(),
                        upcoming=upcoming)  # fmt: skip
        return Response(LifeDaySerializer(data).data)

    @extend_schema(parameters=[ORG_PARAM], responses={200: LifeDaySerializer})
    def get(self, request: Request) -> Response:
        return self._answer(self._organization(request))

    @extend_schema(parameters=[ORG_PARAM], request=LifeDaySerializer, responses={200: LifeDaySerializer})
    def put(self, request: Request) -> Response:
        organization = self._organization(request)
        ser = LifeDaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        life_day.life_day_set(acting_user=request.user, organization=organization, data=ser.validated_data)
        return self._answer(organization)

    @extend_schema(parameters=[ORG_PARAM], request=None, responses={200: LifeDaySerializer})
    def delete(self, request: Request) -> Response:
        organization = self._organization(request)
        life_day.life_day_clear(acting_user=request.user, organization=organization)
        return self._answer(organization)
