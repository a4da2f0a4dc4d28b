from django.urls import path

from . import views, views_calendar, views_exports

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditLogListView.as_view(), name="auditlog_list"),
    path("settings/", views.OrgSettingsView.as_view(), name="org_settings"),
    path("settings/parameters/", views.ParameterSettingsView.as_view(), name="parameter_settings"),
    path("settings/work-calendar/", views_calendar.WorkCalendarView.as_view(), name="work_calendar_settings"),
    path(
        "settings/work-calendar/<str:date>/delete/",
        views_calendar.WorkCalendarDeleteView.as_view(),
        name="work_calendar_delete",
    ),
    path("exports/", views_exports.ExportJobListView.as_view(), name="export_job_list"),
    path("exports/<int:pk>/", views_exports.ExportJobDetailView.as_view(), name="export_job_detail"),
    path("exports/<int:pk>/progress/", views_exports.ExportJobProgressView.as_view(), name="export_job_progress"),
    path("exports/<int:pk>/download/", views_exports.ExportJobDownloadView.as_view(), name="export_job_download"),
]
