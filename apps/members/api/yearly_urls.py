from rest_framework.routers import SimpleRouter

from . import yearly

router = SimpleRouter()
router.register("members/dues-bases", yearly.DuesBaseViewSet, basename="dues-base")
router.register("members/dues-payments", yearly.DuesPaymentViewSet, basename="dues-payment")
urlpatterns = router.urls
