from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-lop/", views.otp_setup, name="otp_setup"),
    path("xac-thuc/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/", views.profile, name="profile"),
]
