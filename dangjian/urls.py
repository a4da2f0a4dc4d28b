from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("organizations/", include("apps.organizations.urls")),
    path("members/", include("apps.members.urls")),
    path("responsibility/", include("apps.responsibility.urls")),
    path("supervision/", include("apps.supervision.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("funding/", include("apps.funding.urls")),
    path("service-requests/", include("apps.service_requests.urls")),
    path("assessment/", include("apps.assessment.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("dangjian.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
]

# No /media/ route, in any mode: stored files are streamed by scoped views (apps/core/files.py).

handler403 = "apps.core.views.permission_denied_view"
handler404 = "apps.core.views.not_found_view"
handler500 = "apps.core.views.server_error_view"
