from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "党建工作管理平台 · 后台管理"
admin.site.site_title = "党建工作管理平台"
admin.site.index_title = "后台管理"

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "apps.core.views.permission_denied_view"
handler404 = "apps.core.views.not_found_view"
