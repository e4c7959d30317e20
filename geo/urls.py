from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.units_home, name="home"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit"),
    path("tim/", views.unit_search, name="search"),
    path("ban-do/", views.map_page, name="map"),
    path("ban-do/<int:pk>/", views.map_page, name="map_unit"),
    path("ban-do/<int:pk>/du-lieu.geojson", views.features, name="features"),
    path("thon/", views.village_list, name="villages"),
    path("thon/them/", views.village_create, name="village_create"),
    path("thon/nhap/", views.village_import, name="village_import"),
    path("dan-so/nhap/", views.population_import, name="population_import"),
    path("mau/<slug:kind>.csv", views.import_template, name="import_template"),
    path("ranh-gioi/nhap/", views.boundary_import, name="boundary_import"),
    path("khu-vuc/", views.region_list, name="regions"),
    path("khu-vuc/them/", views.region_edit, name="region_create"),
    path("khu-vuc/<int:pk>/", views.region_edit, name="region_edit"),
    path("khu-vuc/<int:pk>/xoa/", views.region_delete, name="region_delete"),
]
