"""Exporting the people list from the UI: same scope and search as the list, every record audited."""
from audit.models import AuditEvent
from tests.conftest import make_person


def test_it_exports_only_the_searched_people_of_my_commune_and_audits_them(personas, commune_a, commune_b, client_for):
    an = make_person(commune_a, full_name="Nguyễn Văn An")
    make_person(commune_a, full_name="Trần Thị Bình")
    make_person(commune_b, full_name="Nguyễn Văn An Khác Xã")
    response = client_for(personas["commune_a"]).get("/people/xuat/?q=nguyen+van+an")
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Nguyễn Văn An" in body and "Bình" not in body and "Khác Xã" not in body
    event = AuditEvent.objects.get(action="export", actor=personas["commune_a"])
    assert event.records == [an.pk]


def test_leadership_cannot_export_people(personas, client_for):
    assert client_for(personas["leader"]).get("/people/xuat/").status_code == 403
