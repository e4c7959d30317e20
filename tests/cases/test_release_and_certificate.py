import datetime as dt

import pytest

from cases import services
from cases.models import RecoveryCertificate
from core.errors import Invalid

pytestmark = pytest.mark.django_db


def test_it_releases_on_day_7_with_a_negative_test_under_261(open_case, personas):
    case = open_case(confirmed_on=dt.date(2022, 2, 1))
    assert case.release_due_on == dt.date(2022, 2, 8)
    with pytest.raises(Invalid) as exc:
        services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 7), test_result="negative")
    assert "08/02/2022" in exc.value.vi
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="negative")
    assert (case.status, case.released_on) == ("recovered", dt.date(2022, 2, 8))


def test_it_keeps_a_positive_case_until_day_10_or_14_by_vaccination(open_case, personas):
    vaccinated = open_case(confirmed_on=dt.date(2022, 2, 1), vaccination_status="full")
    unvaccinated = open_case(full_name="Trần Thị Bình", confirmed_on=dt.date(2022, 2, 1), vaccination_status="none")
    for case, last in ((vaccinated, dt.date(2022, 2, 11)), (unvaccinated, dt.date(2022, 2, 15))):
        services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="positive")
        assert case.status == "active" and case.release_due_on == last
        with pytest.raises(Invalid):
            services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=last - dt.timedelta(days=1), test_result="")
        services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=last, test_result="")
        assert case.status == "recovered"


def test_it_uses_10_days_under_11042_and_allows_a_supervised_self_test_only_from_762(open_case, personas):
    old = open_case(confirmed_on=dt.date(2022, 1, 10))
    assert old.release_due_on == dt.date(2022, 1, 20)
    before = open_case(full_name="Trần Thị Bình", confirmed_on=dt.date(2022, 2, 10))
    with pytest.raises(Invalid):
        services.record_release(by=personas["care_a"], case=before, expected_version=before.version, on=dt.date(2022, 2, 17), test_result="negative", self_test=True)
    after = open_case(full_name="Lê Văn Cường", confirmed_on=dt.date(2022, 2, 21))
    services.record_release(by=personas["care_a"], case=after, expected_version=after.version, on=dt.date(2022, 2, 28), test_result="negative", self_test=True)
    assert after.status == "recovered"


def test_it_issues_a_pdf_certificate_whose_qr_page_shows_only_name_birth_year_and_dates(open_case, personas, client_for, client):
    from tests.conftest import make_person

    person = make_person(personas["care_a"].unit, full_name="Nguyễn Thị Hằng", birth_year=1990,
                         phone="0905111222", id_kind="cccd", id_number="062190000123")
    case = open_case(person=person, confirmed_on=dt.date(2022, 2, 1))
    c = client_for(personas["care_a"])
    assert c.get(f"/cases/{case.pk}/giay-xac-nhan-khoi-benh.pdf").status_code == 302  # not recovered yet: refused
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="negative")
    r = c.get(f"/cases/{case.pk}/giay-xac-nhan-khoi-benh.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert b"PhongdichSans" in r.content or b"DejaVu" in r.content
    cert = RecoveryCertificate.objects.get(case=case)
    page = client.get(f"/cases/cong-khai/xac-minh/{cert.verify_token}/").content.decode()
    assert "Nguyễn Thị Hằng" in page and "1990" in page and "01/02/2022" in page and "08/02/2022" in page
    assert "0905111222" not in page and "062190000123" not in page and "Quang Trung" not in page
    assert client.get("/cases/cong-khai/xac-minh/" + "z" * 43 + "/").status_code == 404
