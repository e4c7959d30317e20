import datetime as dt

import pytest

from cases import services
from cases.models import Dispensing, SupportRecord
from core.errors import Invalid
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_it_refuses_molnupiravir_to_a_minor_and_to_a_pregnant_woman(open_case, personas, commune_a):
    child = open_case(person=make_person(commune_a, full_name="Nguyễn Văn Bé", date_of_birth=dt.date(2010, 5, 1)))
    with pytest.raises(Invalid) as exc:
        services.dispense(by=personas["care_a"], case=child, item="molnupiravir", quantity=20)
    assert "dưới 18" in exc.value.vi and "261/QĐ-BYT" in exc.value.vi
    pregnant = open_case(person=make_person(commune_a, full_name="Trần Thị Mai", birth_year=1995, sex="F", is_pregnant=True))
    with pytest.raises(Invalid):
        services.dispense(by=personas["care_a"], case=pregnant, item="package_c", quantity=1)
    services.dispense(by=personas["care_a"], case=child, item="package_a", quantity=1)
    assert Dispensing.objects.count() == 1


def test_it_records_dispensing_and_support_from_the_case_page(open_case, personas, client_for):
    case = open_case()
    c = client_for(personas["care_a"])
    c.post(f"/cases/{case.pk}/cap-thuoc/", {"item": "molnupiravir", "quantity": "20"})
    c.post(f"/cases/{case.pk}/ho-tro/", {"kind": "food", "amount": "500000", "given_on": "06/02/2022", "fund": "Quỹ phòng chống dịch xã"})
    d = Dispensing.objects.get(case=case)
    assert d.by == personas["care_a"] and d.rule_set.source_document.startswith("261")
    case.refresh_from_db()
    assert case.first_medicine_at == d.given_at
    s = SupportRecord.objects.get(case=case)
    assert (s.amount, s.given_on, s.fund) == (500000, dt.date(2022, 2, 6), "Quỹ phòng chống dịch xã")
    assert "Quỹ phòng chống dịch xã" in c.get(f"/cases/{case.pk}/").content.decode()


def test_it_lets_leadership_read_but_not_write(open_case, personas, client_for):
    case = open_case()
    c = client_for(personas["leader"])
    assert c.get(f"/cases/{case.pk}/").status_code == 200
    assert c.post(f"/cases/{case.pk}/cap-thuoc/", {"item": "package_a", "quantity": "1"}).status_code == 403
    assert client_for(personas["commune_b"]).get(f"/cases/{case.pk}/").status_code == 404
