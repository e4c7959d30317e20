from django.urls import path

from . import views

app_name = "supplies"
urlpatterns = [
    path("", views.position, name="position"),
    path("ban-do.json", views.position_map, name="map_json"),
    path("kho/<int:pk>/", views.store_detail, name="store"),
    path("sap-het-han/", views.expiring, name="expiring"),
    path("het-hang/", views.stockouts, name="stockouts"),
    path("thieu-hut/", views.shortfalls, name="shortfalls"),
    path("so-kho/", views.ledger, name="ledger"),
    path("so-kho/<int:pk>/huy/", views.reverse_movement, name="reverse"),
    path("so-kho/<int:pk>/phieu-nhap.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("lo/<int:pk>/", views.lot_trace, name="lot"),
    path("chuyen-kho/", views.transfer_list, name="transfers"),
    path("chuyen-kho/<int:pk>/", views.transfer_detail, name="transfer"),
    path("chuyen-kho/<int:pk>/phieu-xuat.pdf", views.dispatch_pdf, name="dispatch_pdf"),
    path("de-nghi/", views.request_list, name="requests"),
    path("de-nghi/<int:pk>/", views.request_decide, name="decide"),
    path("phan-bo/", views.allocation, name="allocation"),
    path("danh-muc/", views.catalogue, name="catalogue"),
    path("nhap-ton-dau-ky/", views.import_opening, name="import"),
]
