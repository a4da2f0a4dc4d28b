"""Included by apps/members/urls.py at "import/" (same "members" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.MemberImportListView.as_view(), name="import_list"),
    path("new/", views.MemberImportCreateView.as_view(), name="import_create"),
    path("template/", views.MemberImportTemplateView.as_view(), name="import_template"),
    path("export/", views.MemberExportView.as_view(), name="member_export"),
    path("<int:pk>/", views.MemberImportDetailView.as_view(), name="import_detail"),
    path("<int:pk>/progress/", views.MemberImportProgressView.as_view(), name="import_progress"),
    path("<int:pk>/confirm/", views.MemberImportConfirmView.as_view(), name="import_confirm"),
    path("<int:pk>/errors/", views.MemberImportErrorReportView.as_view(), name="import_errors"),
]
