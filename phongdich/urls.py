from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Each domain app owns its pages under /<app>/ and its API under /api/.
DOMAIN_APPS = [
    "geo", "accounts", "audit", "people", "diseases", "facilities", "cases", "contacts", "testing",
    "vaccination", "levels", "supplies", "directives", "reports",
    "dataprotection", "fieldapp",
]
# The apps with REST endpoints (each has an api_urls.py); an app adds itself here with its first endpoint.
API_APPS = [
    "geo", "accounts", "people", "cases", "contacts", "testing", "vaccination", "levels", "supplies", "directives", "reports",
    "fieldapp",
    # issue #14 §3 (every UI write has an API): the platform's import batches and the apps that had none.
    "core", "facilities", "diseases", "dataprotection",
]

urlpatterns = [
    path("", include("core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quantri/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: no inline script (Content-Security-Policy, docs/security.md).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
for app in DOMAIN_APPS:
    urlpatterns.append(path(f"{app}/", include(f"{app}.urls")))
for app in API_APPS:
    urlpatterns.append(path("api/", include(f"{app}.api_urls")))
# No /media/ route, not even with DEBUG: uploaded and generated files leave only through views that check sign-in,
# role and jurisdiction (core.files.serve_file; docs/security.md).

# Error pages in the site's frame (core.views); the CSRF failure page is settings.CSRF_FAILURE_VIEW.
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
