from django.urls import path
from rest_framework.routers import SimpleRouter

from . import life_day, rule_tables, views

router = SimpleRouter()
router.register("responsibility/tasks", views.TaskItemViewSet, basename="resp-task")
router.register("responsibility/problems", views.ProblemItemViewSet, basename="resp-problem")
router.register("responsibility/duties", views.DutyItemViewSet, basename="resp-duty")
router.register("responsibility/rectifications", views.RectificationViewSet, basename="resp-rectification")
router.register("responsibility/ledgers", views.MonthlyLedgerViewSet, basename="resp-ledger")
router.register("responsibility/meetings", views.MeetingViewSet, basename="resp-meeting")
router.register("responsibility/issuances", views.IssuanceViewSet, basename="resp-issuance")
router.register(
    "responsibility/meeting-requirements", rule_tables.MeetingRequirementViewSet, basename="resp-meeting-requirement"
)
urlpatterns = [
    path("responsibility/life-day/", life_day.LifeDayView.as_view(), name="resp-life-day"),
    *router.urls,
]
