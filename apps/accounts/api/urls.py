from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .users import UserViewSet

router = SimpleRouter()
router.register("accounts/users", UserViewSet, basename="account-user")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("accounts/me/", views.MeView.as_view(), name="accounts_me"),
    path("auth/token/", views.TokenView.as_view(), name="auth_token"),
    *router.urls,
]
