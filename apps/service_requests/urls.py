from django.urls import path

from . import settings_views, views, views_community

app_name = "service_requests"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="request_list"),
    path("new/", views.RequestCreateView.as_view(), name="request_create"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("<int:pk>/do/<str:action>/", views.RequestActionView.as_view(), name="request_action"),
    path("steps/<int:pk>/attachment/", views.StepAttachmentView.as_view(), name="step_attachment"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("settings/categories/", settings_views.CategorySettingsView.as_view(), name="category_settings"),
    path("settings/categories/new/", settings_views.CategoryCreateView.as_view(), name="category_create"),
    path("settings/categories/<int:pk>/", settings_views.CategoryEditView.as_view(), name="category_edit"),
    path("wishes/", views_community.WishListView.as_view(), name="wish_list"),
    path("wishes/new/", views_community.WishCreateView.as_view(), name="wish_create"),
    path("wishes/<int:pk>/", views_community.WishDetailView.as_view(), name="wish_detail"),
    path("wishes/<int:pk>/claim/", views_community.WishClaimView.as_view(), name="wish_claim"),
    path("wishes/<int:pk>/fulfil/", views_community.WishFulfilView.as_view(), name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", views_community.WishConfirmView.as_view(), name="wish_confirm"),
    path("wishes/<int:pk>/evidence/", views_community.WishEvidenceView.as_view(), name="wish_evidence"),
    path("registrations/", views_community.RegistrationListView.as_view(), name="registration_list"),
    path("registrations/communities/", views_community.community_lookup, name="community_lookup"),
    path("registrations/new/", views_community.RegistrationCreateView.as_view(), name="registration_create"),
    path("registrations/<int:pk>/", views_community.RegistrationDetailView.as_view(), name="registration_detail"),
    path(
        "registrations/<int:pk>/confirm/",
        views_community.RegistrationConfirmView.as_view(),
        name="registration_confirm",
    ),
    path("registrations/<int:pk>/post/", views_community.RegistrationPostView.as_view(), name="registration_post"),
    path("registrations/<int:pk>/records/new/", views_community.RecordCreateView.as_view(), name="record_create"),
    path("records/<int:pk>/confirm/", views_community.RecordConfirmView.as_view(), name="record_confirm"),
    path("posts/new/", views_community.PostCreateView.as_view(), name="post_create"),
]
