"""One versioned API: each app contributes its routes in apps/<app>/api/urls.py (core, whose apps/core/api.py
holds the base classes, in apps.core.api_urls.py)."""

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

urlpatterns = [
    path("", include("apps.core.api_urls")),
    *[path("", include(f"apps.{app}.api.urls")) for app in API_APPS],
]
