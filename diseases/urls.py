from django.urls import path

from . import views

app_name = "diseases"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("them/", views.rule_add, name="add"),
    path("<int:pk>/", views.rule_detail, name="detail"),
    path("goi-benh/", views.pack_load, name="pack_load"),
    path("goi-benh/<slug:code>.yaml", views.pack_export, name="pack_export"),
]
