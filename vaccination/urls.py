from django.urls import path

from . import views

app_name = "vaccination"
urlpatterns = [
    path("", views.home, name="home"),
    path("mui-tiem/", views.injection_list, name="injections"),
    path("nguoi/<int:person_pk>/", views.person_record, name="person"),
    path("nguoi/<int:person_pk>/tiem/", views.record_dose, name="record"),
    path("nguoi/<int:person_pk>/giay-chung-nhan.pdf", views.certificate, name="certificate"),
    path("nguoi/<int:person_pk>/giay-chung-nhan/thu-hoi/", views.revoke_certificates, name="certificate_revoke"),
    path("nguoi/<int:person_pk>/fhir/", views.fhir_person, name="fhir_person"),
    path("don-vi/<int:unit_pk>/fhir/", views.fhir_unit, name="fhir_unit"),
    path("bao-phu/", views.coverage_page, name="coverage"),
    path("bao-phu.json", views.coverage_json, name="coverage_json"),
    path("lich-tiem/", views.schedules, name="schedules"),
    path("lich-tiem/<int:pk>/sua/", views.schedule_edit, name="schedule_edit"),
    path("nhap/", views.imports, name="imports"),
    path("nhap/<int:pk>/", views.import_detail, name="import_detail"),
    path("nhap/<int:pk>/loi.csv", views.import_errors_csv, name="import_errors"),
    path("nhap/<int:pk>/thu-lai/", views.import_retry, name="import_retry"),
    path("chi-tieu/", views.campaigns, name="campaigns"),
    path("chi-tieu/<int:pk>/con-thieu/", views.campaign_missing, name="campaign_missing"),
    path("di-tung-nha/", views.villages, name="villages"),
    path("di-tung-nha/<int:village_pk>/", views.door_to_door, name="door_to_door"),
    path("doi-soat-vneid/", views.reconciliation, name="reconciliation"),
    path("doi-soat-vneid/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("cong-khai/xac-minh/<str:token>/", views.verify, name="verify"),
]
