from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanFormView.as_view(), name="plan_update"),
    path("plans/<int:pk>/job/", views.ComputeJobStatusView.as_view(), name="plan_job"),
    path("plans/<int:pk>/do/<slug:action>/", views.PlanActionView.as_view(), name="plan_action"),
    path("plans/<int:pk>/indicators/new/", views.IndicatorFormView.as_view(), name="indicator_create"),
    path("plans/<int:pk>/indicators/<int:ind>/", views.IndicatorFormView.as_view(), name="indicator_update"),
    path("plans/<int:pk>/indicators/<int:ind>/delete/", views.IndicatorDeleteView.as_view(), name="indicator_delete"),
    path("plans/<int:pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path("plans/<int:pk>/ranking/print/", views.RankingView.as_view(printable=True), name="ranking_print"),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result_detail"),
    path("results/<int:pk>/score/<slug:kind>/", views.ResultScoreView.as_view(), name="result_score"),
    path("results/<int:pk>/consolidation/", views.ResultConsolidationView.as_view(), name="result_consolidation"),
    path("results/<int:pk>/appeal/", views.AppealCreateView.as_view(), name="appeal_create"),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal_detail"),
    path("duty-reports/", views.DutyReportListView.as_view(), name="dutyreport_list"),
    path("duty-reports/new/", views.DutyReportFormView.as_view(), name="dutyreport_create"),
    path("duty-reports/<int:pk>/", views.DutyReportDetailView.as_view(), name="dutyreport_detail"),
]
