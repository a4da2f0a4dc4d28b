"""/api/v1/work-calendar/: the 工作日历 (holidays and make-up working days with their source). Any signed-in
user reads it (it is public information); writes go through ``calendar_settings``, which checks the root
administrator, validates and audits."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import calendar_settings as svc
from .api import LabelledSerializer
from .models import WorkCalendarDay
from .permissions import RootAdminWrites
from .text import is_digits
from .workdays import _MAX_YEAR, _MIN_YEAR

KINDS = [kind for kind, _label in svc.KIND_CHOICES]


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField(help_text="星期几，如「星期六」")
    kind = serializers.ChoiceField(
        choices=svc.KIND_CHOICES, help_text="holiday 放假（工作日）；workday 调休上班（周末）"
    )
    kind_display = serializers.CharField()
    note = serializers.CharField(allow_blank=True, help_text="说明，如节日名称")
    source = serializers.CharField(allow_blank=True, help_text="依据，如国务院办公厅的放假通知")


class CalendarDayInputSerializer(LabelledSerializer):
    date = serializers.DateField(label="日期")
    kind = serializers.ChoiceField(label="类型", choices=svc.KIND_CHOICES)
    note = serializers.CharField(label="说明", max_length=100, required=False, allow_blank=True, default="")
    source = serializers.CharField(label="依据", max_length=200, allow_blank=True,
                                   help_text="例如 国务院办公厅关于2027年部分节假日安排的通知")  # fmt: skip


class CalendarImportSerializer(LabelledSerializer):
    year = serializers.IntegerField(label="年度")
    text = serializers.CharField(
        label="放假安排", max_length=10000,
        help_text="每行一条，例如：2月6日至14日 放假 春节；2月20日 上班 春节调休。放假期间的周末会自动略过。",
    )  # fmt: skip
    source = serializers.CharField(label="依据", max_length=200, required=False, allow_blank=True, default="",
                                   help_text="留空则为该年度国务院办公厅的放假通知")  # fmt: skip
    replace = serializers.BooleanField(label="替换该年度已登记的安排", required=False, default=False)


class CalendarImportResultSerializer(serializers.Serializer):
    written = serializers.IntegerField(help_text="登记或更新的天数")
    removed = serializers.IntegerField(help_text="删除的天数（替换时）")
    skipped_weekends = serializers.IntegerField(help_text="放假期间的周末（无须登记）")


def day_data(row: WorkCalendarDay) -> dict[str, Any]:
    kind = svc.WORKDAY if row.is_workday else svc.HOLIDAY
    return {"date": row.date, "weekday": svc.weekday_label(row.date), "kind": kind,
            "kind_display": dict(svc.KIND_CHOICES)[kind], "note": row.note, "source": row.source}  # fmt: skip


YEAR_PARAM = OpenApiParameter("year", int, description="年度（2000–2100，留空为今年）", required=False)


class CalendarDaysView(APIView):
    permission_classes = [RootAdminWrites]

    @extend_schema(parameters=[YEAR_PARAM], responses={200: CalendarDaySerializer(many=True)})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("year", "").strip()
        year = timezone.localdate().year
        if raw:
            if not is_digits(raw, 4) or not _MIN_YEAR <= int(raw) <= _MAX_YEAR:
                raise serializers.ValidationError({"year": [_("年度：应为2000至2100年之间的年份。")]})
            year = int(raw)
        return Response(CalendarDaySerializer([day_data(r) for r in svc.year_days(year)], many=True).data)

    @extend_schema(request=CalendarDayInputSerializer, responses={201: CalendarDaySerializer})
    def post(self, request: Request) -> Response:
        ser = CalendarDayInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        svc.calendar_day_add(acting_user=request.user, **ser.validated_data)
        row = WorkCalendarDay.objects.get(date=ser.validated_data["date"])
        return Response(CalendarDaySerializer(day_data(row)).data, status=201)


class CalendarDayView(APIView):
    permission_classes = [RootAdminWrites]

    @extend_schema(
        parameters=[OpenApiParameter("date", str, OpenApiParameter.PATH, description="日期，如 2027-02-08")],
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, date: str) -> Response:
        try:
            day = datetime.date.fromisoformat(date)
        except (TypeError, ValueError):
            raise Http404(_("该日没有登记放假或调休。")) from None
        if not WorkCalendarDay.objects.filter(date=day).exists():
            raise Http404(_("该日没有登记放假或调休。"))
        svc.calendar_day_remove(acting_user=request.user, date=day)
        return Response(status=204)


class CalendarImportView(APIView):
    permission_classes = [RootAdminWrites]

    @extend_schema(request=CalendarImportSerializer, responses={200: CalendarImportResultSerializer})
    def post(self, request: Request) -> Response:
        ser = CalendarImportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = svc.calendar_import(acting_user=request.user, **ser.validated_data)
        return Response(CalendarImportResultSerializer(result).data)
