from django.urls import path

from . import views
from .import_urls import urlpatterns as import_urlpatterns

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("them/", views.person_create, name="create"),
    path("xuat/", views.person_export, name="export"),
    path("trung-lap/", views.duplicates, name="duplicates"),
    path("thon/", views.villages_for_commune, name="villages"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/sua/", views.person_edit, name="edit"),
]
urlpatterns += import_urlpatterns  # /people/nhap/: CSV/XLSX import
