from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("compare/", views.ComparisonView.as_view(), name="comparison"),
    path("party-stats/", views.PartyStatsView.as_view(), name="party_stats"),
    path("screen/", views.ScreenView.as_view(), name="screen"),
]
