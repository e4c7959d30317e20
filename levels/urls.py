from django.urls import path

from . import views

app_name = "levels"
urlpatterns = [
    path("", views.level_map, name="map"),
    path("danh-gia/", views.run_assessment, name="run"),
    path("de-xuat-ca-tuan/", views.propose_week, name="propose_week"),
    path("quyet-dinh-ca-tuan/", views.decide_week, name="decide_week"),
    path("don-vi/<int:unit_id>/<str:week>/", views.unit_week, name="unit"),
    path("don-vi/<int:unit_id>/<str:week>/de-xuat/", views.propose, name="propose"),
    path("don-vi/<int:unit_id>/<str:week>/quyet-dinh/", views.decide, name="decide"),
    path("don-vi/<int:unit_id>/<str:week>/cong-bo/", views.publish, name="publish"),
    path("tinh-thu/", views.calculator, name="calculator"),
    path("tieu-chi/", views.versions, name="versions"),
    path("tieu-chi/<int:pk>/", views.version_detail, name="version"),
    path("bien-phap/", views.measures, name="measures"),
    path("nhap-so-lieu/", views.entry, name="entry"),
    # Public: no login, nothing personal.
    path("cong-khai/", views.public, name="public"),
    path("cong-khai/cap-do-dich.csv", views.public_csv, name="public_csv"),
    path("cong-khai/cap-do-dich.json", views.public_json, name="public_json"),
]
