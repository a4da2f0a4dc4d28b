from rest_framework.routers import SimpleRouter

from .views import MemberViewSet, RecruitmentViewSet, TransferViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("recruitments", RecruitmentViewSet, basename="recruitment")
router.register("transfers", TransferViewSet, basename="transfer")
urlpatterns = router.urls
