from django.urls import path

from . import views

app_name = "dataprotection"
urlpatterns = [
    path("", views.index, name="index"),
    path("yeu-cau/moi/", views.request_new, name="request_new"),
    path("yeu-cau/<int:pk>/", views.request_detail, name="request"),
    path("yeu-cau/<int:pk>/du-lieu.xlsx", views.request_export, name="request_export"),
    path("su-co/moi/", views.breach_new, name="breach_new"),
    path("su-co/<int:pk>/", views.breach_detail, name="breach"),
    path("thoi-han-luu/", views.retention, name="retention"),
    path("thoi-han-luu/an-danh-hoa/", views.retention_apply, name="retention_apply"),
    path("danh-gia-tac-dong.xlsx", views.dpia_export, name="dpia"),
    path("nghien-cuu.csv", views.research_export, name="research"),
]
