from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.members.roster_import.views import MemberImportJobViewSet

from . import rule_tables
from .views import MemberViewSet, RecruitmentViewSet, TransferViewSet
from .yearly_urls import urlpatterns as yearly_urlpatterns

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("recruitments", RecruitmentViewSet, basename="recruitment")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("member-imports", MemberImportJobViewSet, basename="member-import")

rules_router = SimpleRouter()
rules_router.register("members/recruitment-rules", rule_tables.RecruitmentRuleViewSet, basename="recruitment-rule")
rule_table_urlpatterns = [
    path("members/dues-brackets/", rule_tables.DuesBracketListView.as_view(), name="dues-bracket-list"),
    path(
        "members/dues-brackets/<int:year>/<str:category>/",
        rule_tables.DuesBracketTableView.as_view(),
        name="dues-bracket-table",
    ),
    *rules_router.urls,
]
# /members/dues-bases/, /members/recruitment-rules/ etc. come first, or members/<pk>/ would take them.
urlpatterns = yearly_urlpatterns + rule_table_urlpatterns + router.urls
