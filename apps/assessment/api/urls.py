from rest_framework.routers import SimpleRouter

from .views import AppealViewSet, DutyReportViewSet, IndicatorViewSet, PlanViewSet, RaterScoreViewSet, ResultViewSet

router = SimpleRouter()
router.register("assessment/plans", PlanViewSet, basename="assessment-plan")
router.register("assessment/indicators", IndicatorViewSet, basename="assessment-indicator")
router.register("assessment/scores", RaterScoreViewSet, basename="assessment-score")
router.register("assessment/results", ResultViewSet, basename="assessment-result")
router.register("assessment/duty-reports", DutyReportViewSet, basename="assessment-dutyreport")
router.register("assessment/appeals", AppealViewSet, basename="assessment-appeal")
urlpatterns = router.urls
