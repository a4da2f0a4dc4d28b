from rest_framework.routers import SimpleRouter

from apps.members.roster_import.views import MemberImportJobViewSet

from .views import MemberViewSet, RecruitmentViewSet, TransferViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("recruitments", RecruitmentViewSet, basename="recruitment")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("member-imports", MemberImportJobViewSet, basename="member-import")
urlpatterns = router.urls
