from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/", views.jobs, name="jobs"),
]

# Background import batches (core.batches, docs/imports.md)
from . import import_views  # noqa: E402

urlpatterns += [
    path("nhap/", import_views.batch_list, name="import_batches"),
    path("nhap/<int:pk>/", import_views.batch_detail, name="import_batch"),
    path("nhap/<int:pk>/loi.csv", import_views.batch_errors, name="import_batch_errors"),
    path("nhap/<int:pk>/thu-lai/", import_views.batch_retry, name="import_batch_retry"),
]
