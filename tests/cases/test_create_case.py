import datetime as dt

import pytest

from audit.models import AuditEvent
from cases import services
from cases.models import Case
from core.errors import Invalid
from facilities.models import Facility
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_it_records_a_case_from_the_people_search_and_warns_when_home_care_does_not_fit(personas, client_for, commune_a):
    station = Facility.objects.create(name="Trạm Y tế Quang Trung", kind="commune_health_station", unit=commune_a)
    person = make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1950, comorbidities=["diabetes"], phone="0905333444")
    c = client_for(personas["commune_a"])
    assert "Lê Thị Hoa" in c.get("/cases/them/?q=le thi hoa").content.decode()
    r = c.post("/cases/them/", {"person": person.pk, "confirmed_on": "05/02/2022", "test_kind": "rt_pcr", "detected_in": "community",
                                "care_setting": "home", "severity": "mild", "vaccination_status": "none", "has_comorbidity": "on",
                                "can_self_care": "on", "has_phone": "on"}, follow=True)
    case = Case.objects.get(person=person)
    assert (case.station, case.vaccination_status, case.release_due_on) == (station, "none", dt.date(2022, 2, 12))
    assert "không đủ điều kiện điều trị tại nhà" in r.content.decode()
    assert AuditEvent.objects.filter(action="create", target_type="cases.case", target_id=str(case.pk)).exists()


def test_it_refuses_a_second_active_case_and_a_future_date(open_case, personas, commune_a):
    case = open_case()
    with pytest.raises(Invalid):
        services.open_case(by=personas["commune_a"], person=case.person, confirmed_on=dt.date(2022, 2, 6))
    with pytest.raises(Invalid):
        services.open_case(by=personas["commune_a"], person=make_person(commune_a, full_name="Khác"), confirmed_on=dt.date(2099, 1, 1))


def test_it_prefills_the_vaccination_status_from_the_vaccination_registry(personas, commune_a, monkeypatch):
    from vaccination import selectors as vaccination_selectors

    monkeypatch.setattr(vaccination_selectors, "is_fully_vaccinated", lambda person, on: True)
    case = services.open_case(by=personas["commune_a"], person=make_person(commune_a), confirmed_on=dt.date(2022, 2, 1))
    assert case.vaccination_status == "full" and case.release_due_on == dt.date(2022, 2, 8)


def test_it_marks_a_case_lost_but_not_recovered_through_an_edit(open_case, personas):
    case = open_case()
    services.update_case(by=personas["care_a"], case=case, expected_version=case.version, changes={"status": "lost"})
    assert case.status == "lost"
    with pytest.raises(Invalid):
        services.update_case(by=personas["care_a"], case=case, expected_version=case.version, changes={"status": "recovered"})
