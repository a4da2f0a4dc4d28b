from django.urls import include, path

from . import dues_bracket_views, settings_views, views

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="member_list"),
    path("new/", views.MemberCreateView.as_view(), name="member_create"),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member_update"),
    path("<int:pk>/status/", views.MemberStatusView.as_view(), name="member_status"),
    path("<int:pk>/reveal-id/", views.MemberRevealIdView.as_view(), name="member_reveal_id"),
    path("<int:pk>/transfer/", views.TransferCreateView.as_view(), name="transfer_create"),
    path("recruitment/", views.RecruitmentListView.as_view(), name="recruitment_list"),
    path("recruitment/new/", views.RecruitmentCreateView.as_view(), name="recruitment_create"),
    path("recruitment/<int:pk>/", views.RecruitmentDetailView.as_view(), name="recruitment_detail"),
    path("recruitment/<int:pk>/edit/", views.RecruitmentUpdateView.as_view(), name="recruitment_update"),
    path("recruitment/<int:pk>/advance/", views.RecruitmentAdvanceView.as_view(), name="recruitment_advance"),
    path("recruitment/<int:pk>/extend/", views.RecruitmentExtendView.as_view(), name="recruitment_extend"),
    path("recruitment/<int:pk>/documents/", views.RecruitmentDocumentView.as_view(), name="recruitment_document"),
    path(
        "recruitment/documents/<int:pk>/",
        views.RecruitmentDocumentDownloadView.as_view(),
        name="recruitment_document_file",
    ),
    path("recruitment/<int:pk>/stop/", views.RecruitmentStopView.as_view(), name="recruitment_stop"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/approve/", views.TransferApproveView.as_view(), name="transfer_approve"),
    path("transfers/<int:pk>/letter/", views.TransferLetterView.as_view(), name="transfer_letter"),
    path("transfers/<int:pk>/receive/", views.TransferReceiveView.as_view(), name="transfer_receive"),
    path("transfers/<int:pk>/return/", views.TransferReturnView.as_view(), name="transfer_return"),
    path("transfers/<int:pk>/cancel/", views.TransferCancelView.as_view(), name="transfer_cancel"),
    path("import/", include("apps.members.roster_import.urls")),
    path(
        "settings/recruitment-rules/",
        settings_views.RecruitmentRuleListView.as_view(),
        name="recruitment_rule_settings",
    ),
    path(
        "settings/recruitment-rules/<int:pk>/",
        settings_views.RecruitmentRuleEditView.as_view(),
        name="recruitment_rule_edit",
    ),
    path("settings/dues-brackets/", dues_bracket_views.DuesBracketListView.as_view(), name="dues_bracket_settings"),
    path("settings/dues-brackets/new/", dues_bracket_views.DuesBracketEditView.as_view(), name="dues_bracket_add"),
    path(
        "settings/dues-brackets/<int:year>/<str:category>/",
        dues_bracket_views.DuesBracketEditView.as_view(),
        name="dues_bracket_edit",
    ),
    path(
        "settings/dues-brackets/<int:year>/<str:category>/delete/",
        dues_bracket_views.DuesBracketDeleteView.as_view(),
        name="dues_bracket_delete",
    ),
    path("settings/dues-brackets/recompute/", dues_bracket_views.DuesRecomputeView.as_view(), name="dues_recompute"),
]

from .urls_yearly import urlpatterns as _yearly  # noqa: E402

urlpatterns += _yearly
