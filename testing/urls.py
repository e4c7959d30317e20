from django.urls import path

from . import views

app_name = "testing"
urlpatterns = [
    path("", views.test_list, name="list"),
    path("them/", views.test_create, name="create"),
    path("<int:pk>/", views.test_detail, name="detail"),
    path("<int:pk>/giai-trinh-tu/", views.sequencing, name="sequencing"),
    path("mau-gop/", views.pool_list, name="pools"),
    path("mau-gop/<int:pk>/", views.pool_detail, name="pool"),
    path("nhap-ket-qua/", views.import_results, name="import"),
    path("sang-loc/", views.campaign_list, name="campaigns"),
    path("sang-loc/<int:pk>/", views.campaign_detail, name="campaign"),
    path("sang-loc/<int:pk>/xuat.xlsx", views.campaign_export, name="campaign_export"),
    path("canh-bao/<int:pk>/tiep-nhan/", views.acknowledge_alert, name="acknowledge_alert"),
]
