from django.urls import path

from . import user_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.MyAccountView.as_view(), name="my_account"),
    path("me/sessions/end-others/", views.EndOtherSessionsView.as_view(), name="end_other_sessions"),
    path("users/", user_views.UserListView.as_view(), name="user_list"),
    path("users/new/", user_views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", user_views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", user_views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", user_views.PasswordShownView.as_view(), name="user_password_shown"),
    path("users/<int:pk>/reset-password/", user_views.UserActionView.as_view(action="reset"), name="user_reset"),
    path(
        "users/<int:pk>/reset-password-sms/",
        user_views.UserActionView.as_view(action="reset_sms"),
        name="user_reset_sms",
    ),
    path(
        "users/<int:pk>/reassign-sms/",
        user_views.UserActionView.as_view(action="reassign_sms"),
        name="user_reassign_sms",
    ),
    path("users/<int:pk>/unlock/", user_views.UserActionView.as_view(action="unlock"), name="user_unlock"),
    path("users/<int:pk>/deactivate/", user_views.UserActionView.as_view(action="deactivate"), name="user_deactivate"),
    path("users/<int:pk>/activate/", user_views.UserActionView.as_view(action="activate"), name="user_activate"),
    path("users/<int:pk>/reassign/", user_views.UserActionView.as_view(action="reassign"), name="user_reassign"),
    path("provisioning/", user_views.ProvisioningView.as_view(), name="provisioning"),
    path("provisioning/<int:pk>/", user_views.ProvisioningBatchView.as_view(), name="provisioning_detail"),
    path(
        "provisioning/<int:pk>/download/",
        user_views.ProvisioningDownloadView.as_view(),
        name="provisioning_download",
    ),
]
