from django.urls import path
from rest_framework.routers import SimpleRouter

from . import settings
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
urlpatterns = [
    path("supervision/letter-rule/", settings.LetterRuleView.as_view(), name="letter-rule"),
    path("supervision/letter-templates/", settings.LetterTemplateListView.as_view(), name="letter-templates"),
    path("supervision/letter-templates/<str:kind>/", settings.LetterTemplateView.as_view(), name="letter-template"),
    path(
        "supervision/letter-templates/<str:kind>/preview/",
        settings.LetterTemplatePreviewView.as_view(),
        name="letter-template-preview",
    ),
    *router.urls,
]
