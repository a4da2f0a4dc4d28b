from rest_framework.routers import SimpleRouter

from .views import DeliveryViewSet, NoticeViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("deliveries", DeliveryViewSet, basename="delivery")
urlpatterns = router.urls
