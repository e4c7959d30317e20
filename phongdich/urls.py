from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# Each domain app owns its pages under /<app>/ and its API under /api/.
DOMAIN_APPS = [
    "geo", "accounts", "audit", "people", "diseases", "facilities", "cases", "contacts", "testing",
    "vaccination", "levels", "resources", "directives", "reports",
]

urlpatterns = [
    path("", include("core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quantri/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
for app in DOMAIN_APPS:
    urlpatterns += [
        path(f"{app}/", include(f"{app}.urls")),
        path("api/", include(f"{app}.api_urls")),
    ]

# Error pages in the site's frame (core.views); the CSRF failure page is settings.CSRF_FAILURE_VIEW.
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
