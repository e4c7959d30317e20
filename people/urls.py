from django.urls import path

from . import rehoming_views, views
from .import_urls import urlpatterns as import_urlpatterns

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("them/", views.person_create, name="create"),
    path("xuat/", views.person_export, name="export"),
    path("trung-lap/", views.duplicates, name="duplicates"),
    path("thon/", views.villages_for_commune, name="villages"),
    path("chuyen-dia-ban/", rehoming_views.runs, name="rehoming_runs"),
    path("chuyen-dia-ban/<int:pk>/hoan-tac/", rehoming_views.undo, name="rehoming_undo"),
    path("chuyen-dia-ban/xem-xet/", rehoming_views.review, name="rehoming_review"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/sua/", views.person_edit, name="edit"),
]
urlpatterns += import_urlpatterns  # /people/nhap/: CSV/XLSX import
