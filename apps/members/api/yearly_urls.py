from rest_framework.routers import SimpleRouter

from . import votes, yearly

router = SimpleRouter()
router.register("members/dues-bases", yearly.DuesBaseViewSet, basename="dues-base")
router.register("members/dues-payments", yearly.DuesPaymentViewSet, basename="dues-payment")
router.register("members/appraisals", yearly.AppraisalViewSet, basename="appraisal")
router.register("members/points", yearly.PointEntryViewSet, basename="point-entry")
router.register("members/contact-reviews", yearly.ContactReviewViewSet, basename="contact-review")
router.register("members/mobility", yearly.MobileRecordViewSet, basename="mobile-record")
router.register("members/votes", votes.BranchVoteViewSet, basename="branch-vote")
urlpatterns = router.urls
