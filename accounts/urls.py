from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_admin

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-lop/", views.otp_setup, name="otp_setup"),
    path("xac-thuc/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/", views.profile, name="profile"),
    path("tai-khoan/doi-mat-khau/", views.password_change, name="password_change"),
    path("tai-khoan/ma-api/", views.token_create, name="token_create"),
    path("tai-khoan/ma-api/<int:pk>/thu-hoi/", views.token_revoke, name="token_revoke"),
    # User management (system administrators; the Department of Health within its province).
    path("nguoi-dung/", views_admin.user_list, name="users"),
    path("nguoi-dung/them/", views_admin.user_create, name="user_create"),
    path("nguoi-dung/nhap/", views_admin.user_import, name="user_import"),
    path("nguoi-dung/<int:pk>/", views_admin.user_detail, name="user_detail"),
]
