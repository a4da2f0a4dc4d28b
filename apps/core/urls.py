from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditLogListView.as_view(), name="auditlog_list"),
    path("settings/", views.OrgSettingsView.as_view(), name="org_settings"),
    path("settings/parameters/", views.ParameterSettingsView.as_view(), name="parameter_settings"),
]
