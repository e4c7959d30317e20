from django.urls import path

from . import public, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("them/", views.case_create, name="create"),
    path("canh-bao/", views.alerts, name="alerts"),
    path("canh-bao/<int:alert_pk>/tiep-nhan/", views.acknowledge, name="acknowledge"),
    path("khong-lien-lac/", views.unreachable_board, name="board"),
    path("giuong-benh/", views.beds_board, name="beds"),
    path("nhap/", views.import_cases, name="import"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/sua/", views.edit_case, name="edit"),
    path("<int:pk>/dieu-tra/", views.investigation, name="investigation"),
    path("<int:pk>/phieu-theo-doi/", views.add_check, name="add_check"),
    path("<int:pk>/chuyen-vien/", views.transfer, name="transfer"),
    path("<int:pk>/cap-thuoc/", views.add_dispensing, name="dispense"),
    path("<int:pk>/ho-tro/", views.add_support, name="support"),
    path("<int:pk>/khoi-benh/", views.release, name="release"),
    path("<int:pk>/nhap-co-so/", views.admit, name="admit"),
    path("<int:pk>/ra-co-so/<int:admission_pk>/", views.discharge, name="discharge"),
    path("<int:pk>/lien-ket-tu-bao/", views.self_report_link, name="self_report_link"),
    path("<int:pk>/giay-xac-nhan-khoi-benh.pdf", views.certificate_pdf, name="certificate"),
    path("<int:pk>/giay-xac-nhan-khoi-benh/thu-hoi/", views.revoke_certificate, name="certificate_revoke"),
    # Public, no login: nothing personal beyond what the holder of the link or certificate already has.
    path("cong-khai/theo-doi/<str:token>/", public.self_report, name="self_report"),
    path("cong-khai/xac-minh/<str:token>/", public.verify_certificate, name="verify"),
]
