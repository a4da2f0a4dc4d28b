"""URLs of the yearly cycle, included from urls.py."""

from django.urls import path

from .views_yearly import dues as dues_views

urlpatterns = [
    path("dues/", dues_views.DuesMonthView.as_view(), name="dues_month"),
    path("dues/rollup/", dues_views.DuesRollupView.as_view(), name="dues_rollup"),
    path("dues/handover/", dues_views.DuesHandoverView.as_view(), name="dues_handover"),
    path("dues/import/<str:kind>/", dues_views.DuesImportView.as_view(), name="dues_import"),
    path("dues/template/<str:kind>/", dues_views.DuesTemplateView.as_view(), name="dues_template"),
    path("dues/payments/<int:pk>/receipt/", dues_views.DuesReceiptView.as_view(), name="dues_receipt"),
    path("<int:pk>/dues/", dues_views.MemberDuesView.as_view(), name="dues_member"),
    path("<int:pk>/dues/base/", dues_views.DuesBaseSetView.as_view(), name="dues_base_set"),
    path("<int:pk>/dues/arrears-note/", dues_views.DuesArrearsNoteView.as_view(), name="dues_arrears_note"),
]
