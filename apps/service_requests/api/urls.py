from django.urls import path
from rest_framework.routers import SimpleRouter

from . import categories, views

router = SimpleRouter()
router.register("service-requests", views.ServiceRequestViewSet, basename="service-request")
router.register("service-categories", categories.ServiceCategoryViewSet, basename="service-category")
router.register("micro-wishes", views.MicroWishViewSet, basename="micro-wish")
router.register("community-registrations", views.CommunityRegistrationViewSet, basename="community-registration")
router.register("service-records", views.ServiceRecordViewSet, basename="service-record")
urlpatterns = [
    path("service-stats/", views.ServiceStatsView.as_view(), name="service-stats"),
    *router.urls,
]
