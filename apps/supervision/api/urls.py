from rest_framework.routers import SimpleRouter

from .observation import ObservationFindingViewSet, ObservationRatingViewSet
from .views import AccountabilityViewSet, FindingViewSet, InspectionPlanViewSet, InspectionRecordViewSet, LetterViewSet

router = SimpleRouter()
router.register("letters", LetterViewSet, basename="letter")
router.register("accountabilities", AccountabilityViewSet, basename="accountability")
router.register("inspections", InspectionPlanViewSet, basename="inspection")
router.register("inspection-records", InspectionRecordViewSet, basename="inspection-record")
router.register("findings", FindingViewSet, basename="finding")
router.register("observation-ratings", ObservationRatingViewSet, basename="observation-rating")
router.register("observation-findings", ObservationFindingViewSet, basename="observation-finding")
urlpatterns = router.urls
