from rest_framework.routers import SimpleRouter

from .views import AccountabilityViewSet, FindingViewSet, InspectionPlanViewSet, InspectionRecordViewSet, LetterViewSet

router = SimpleRouter()
router.register("letters", LetterViewSet, basename="letter")
router.register("accountabilities", AccountabilityViewSet, basename="accountability")
router.register("inspections", InspectionPlanViewSet, basename="inspection")
router.register("inspection-records", InspectionRecordViewSet, basename="inspection-record")
router.register("findings", FindingViewSet, basename="finding")
urlpatterns = router.urls
