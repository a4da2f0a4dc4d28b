"""URLs of the yearly cycle, included from urls.py."""

from django.urls import path

from .views_yearly import appraisal as appraisal_views
from .views_yearly import contact as contact_views
from .views_yearly import dues as dues_views
from .views_yearly import points as points_views
from .views_yearly import recruitment_reviews as review_views
from .views_yearly import votes as vote_views

urlpatterns = [
    path("dues/", dues_views.DuesMonthView.as_view(), name="dues_month"),
    path("dues/rollup/", dues_views.DuesRollupView.as_view(), name="dues_rollup"),
    path("dues/handover/", dues_views.DuesHandoverView.as_view(), name="dues_handover"),
    path("dues/import/<str:kind>/", dues_views.DuesImportView.as_view(), name="dues_import"),
    path("dues/template/<str:kind>/", dues_views.DuesTemplateView.as_view(), name="dues_template"),
    path("dues/payments/<int:pk>/receipt/", dues_views.DuesReceiptView.as_view(), name="dues_receipt"),
    path("<int:pk>/dues/", dues_views.MemberDuesView.as_view(), name="dues_member"),
    path("<int:pk>/dues/base/", dues_views.DuesBaseSetView.as_view(), name="dues_base_set"),
    path("<int:pk>/dues/arrears-note/", dues_views.DuesArrearsNoteView.as_view(), name="dues_arrears_note"),
    path("appraisals/", appraisal_views.AppraisalListView.as_view(), name="appraisal_list"),
    path("appraisals/new/", appraisal_views.AppraisalOpenView.as_view(), name="appraisal_open"),
    path("appraisals/<int:pk>/", appraisal_views.AppraisalDetailView.as_view(), name="appraisal_detail"),
    path("appraisals/entries/<int:pk>/self/", appraisal_views.SelfAssessmentView.as_view(), name="appraisal_self"),
    path("appraisals/entries/<int:pk>/handling/", appraisal_views.HandlingView.as_view(), name="appraisal_handling"),
    path("points/", points_views.PointsRankingView.as_view(), name="points_ranking"),
    path("<int:pk>/points/", points_views.MemberPointsView.as_view(), name="points_member"),
    path("cards/", points_views.CardCountsView.as_view(), name="cards"),
    path("contact-reviews/", contact_views.ContactReviewListView.as_view(), name="contact_review_list"),
    path(
        "contact-reviews/<int:pk>/decide/",
        contact_views.ContactReviewDecideView.as_view(),
        name="contact_review_decide",
    ),
    path("<int:pk>/contact/", contact_views.MemberContactView.as_view(), name="member_contact"),
    path("mobility/", contact_views.MobileRecordListView.as_view(), name="mobility_list"),
    path("<int:pk>/mobility/", contact_views.MobilityStartView.as_view(), name="mobility_start"),
    path("mobility/<int:pk>/end/", contact_views.MobilityEndView.as_view(), name="mobility_end"),
    path("recruitment/<int:pk>/review/", review_views.ActivistReviewView.as_view(), name="activist_review"),
    path("votes/", vote_views.VoteListView.as_view(), name="vote_list"),
    path("votes/new/", vote_views.VoteCreateView.as_view(), name="vote_create"),
    path("recruitment/<int:pk>/vote/", review_views.AdmissionVoteView.as_view(), name="admission_vote"),
]
