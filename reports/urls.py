from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("lap/", views.report_generate, name="generate"),
    path("<int:pk>/tai/<str:fmt>/", views.report_download, name="download"),
    path("so-lieu-ngoai/", views.outside_figures, name="figures"),
    path("cong-khai/phan-anh/", views.feedback_public, name="feedback_public"),
    path("phan-anh/", views.feedback_list, name="feedback_list"),
    path("phan-anh/<int:pk>/", views.feedback_detail, name="feedback_detail"),
]
