from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("chua-theo-doi/", views.unmonitored, name="unmonitored"),
    path("ca/<int:case_pk>/", views.case_contacts, name="case"),
    path("ca/<int:case_pk>/lien-ket/", views.link_case, name="link_case"),
    path("ca/<int:case_pk>/chuoi-lay/", views.chain_page, name="chain"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/sua/", views.contact_edit, name="edit"),
    path("<int:pk>/theo-doi/", views.add_check, name="add_check"),
    path("<int:pk>/chuyen-f0/", views.convert, name="convert"),
    path("xet-nghiem/<int:test_pk>/mo-ca/", views.open_case_from_test, name="open_case_from_test"),
    path("o-dich/", views.outbreak_list, name="outbreaks"),
    path("o-dich/<int:pk>/", views.outbreak_detail, name="outbreak"),
    path("nguoi-den/", views.arrival_list, name="arrivals"),
    # Public, no login: the health declaration form shows nothing personal back.
    path("cong-khai/khai-bao-y-te/", views.public_declaration, name="public_declaration"),
]
