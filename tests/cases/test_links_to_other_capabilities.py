"""A case page leads to its contacts and chain, and a person page to recording a test, and the daily report
counts a patient handed over to hospital as still under hospital care."""
import datetime as dt

from cases import services
from reports.builder import cases_section


def test_it_links_a_case_to_its_contacts_and_chain(open_case, personas, client_for):
    case = open_case()
    page = client_for(personas["commune_a"]).get(f"/cases/{case.pk}/").content.decode()
    assert f"/contacts/ca/{case.pk}/" in page and f"/contacts/ca/{case.pk}/chuoi-lay/" in page


def test_it_offers_to_record_a_test_from_a_person_page_only_to_those_who_may(open_case, personas, client_for):
    case = open_case()
    url = f"/people/{case.person_id}/"
    assert f"/testing/them/?person={case.person_id}" in client_for(personas["lab"]).get(url).content.decode()
    assert "/testing/them/" not in client_for(personas["leader"]).get(url).content.decode()


def test_a_transferred_patient_counts_under_hospital_care_in_the_daily_report(open_case, personas):
    case = open_case()
    services.transfer_to_hospital(by=personas["commune_a"], case=case, expected_version=case.version,
                                  destination_text="Bệnh viện Đa khoa tỉnh")
    section = cases_section(dt.date(2022, 2, 6), None)
    assert section["active_hospital"] == 1 and section["active_home"] == 0
