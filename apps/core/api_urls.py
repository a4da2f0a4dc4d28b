"""core's REST routes (core has no api package: ``apps/core/api.py`` holds the API base classes): the work
calendar and the rule parameters."""

from django.urls import path

from . import calendar_api, params_api

urlpatterns = [
    path("work-calendar/days/", calendar_api.CalendarDaysView.as_view(), name="work-calendar-days"),
    path("work-calendar/days/<str:date>/", calendar_api.CalendarDayView.as_view(), name="work-calendar-day"),
    path("work-calendar/import/", calendar_api.CalendarImportView.as_view(), name="work-calendar-import"),
    path("parameters/", params_api.ParameterListView.as_view(), name="parameter-list"),
    path("parameters/<str:key>/", params_api.ParameterView.as_view(), name="parameter-detail"),
]
