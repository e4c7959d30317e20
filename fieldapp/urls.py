from django.urls import path

from . import views

app_name = "fieldapp"
urlpatterns = [
    path("", views.app, name="app"),
    path("cai-dat/", views.install, name="install"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("icon-<int:size>.png", views.icon, name="icon"),
]
