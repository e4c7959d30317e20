from django.urls import path

from . import views

app_name = "diseases"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("them/", views.rule_add, name="add"),
    path("<int:pk>/", views.rule_detail, name="detail"),
]
