"""One versioned API: each app contributes its routes in apps/<app>/api/urls.py."""

from django.urls import include, path

API_APPS = [
    "accounts",
    "organizations",
    "members",
    "responsibility",
    "supervision",
    "notifications",
    "funding",
    "service_requests",
    "assessment",
    "dashboards",
]

urlpatterns = [path("", include(f"apps.{app}.api.urls")) for app in API_APPS]
