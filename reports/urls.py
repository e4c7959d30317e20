from django.urls import path

from . import views, views_dashboard, views_tt54

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("lap/", views.report_generate, name="generate"),
    path("<int:pk>/tai/<str:fmt>/", views.report_download, name="download"),
    path("so-lieu-ngoai/", views.outside_figures, name="figures"),
    path("cong-khai/phan-anh/", views.feedback_public, name="feedback_public"),
    path("phan-anh/", views.feedback_list, name="feedback_list"),
    path("phan-anh/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("thong-tu-54/", views_tt54.tt54, name="tt54"),
    path("thong-tu-54/lap/", views_tt54.tt54_generate, name="tt54_generate"),
    path("thong-tu-54/<int:pk>/tai/<str:fmt>/", views_tt54.tt54_download, name="tt54_download"),
    path("dieu-hanh/", views_dashboard.dashboard, name="dashboard"),
    path("dieu-hanh/so-lieu-khac/", views_dashboard.other_figures, name="dashboard_tiles"),
]
