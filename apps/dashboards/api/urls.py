from django.urls import path

from . import views

urlpatterns = [
    path("stats/members/", views.MemberStatsView.as_view(), name="stats-members"),
    path("stats/organizations/", views.OrganizationStatsView.as_view(), name="stats-organizations"),
    path("stats/trends/", views.TrendsView.as_view(), name="stats-trends"),
]
