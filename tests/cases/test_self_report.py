import datetime as dt

import pytest
from django.core.cache import cache

from cases import public, services
from cases.models import Alert, Check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_it_lets_the_patient_send_a_check_and_ask_for_help_without_an_account(open_case, personas, client):
    case = open_case()
    token = services.self_report_token(by=personas["care_a"], case=case)
    url = f"/cases/cong-khai/theo-doi/{token}/"
    page = client.get(url).content.decode()
    assert "An" in page and "Nguyễn Văn An" not in page
    r = client.post(url, {"spo2": "95", "idempotency_key": "p1"})
    assert "Có dấu hiệu cảnh báo" in r.content.decode()
    check = Check.objects.get(case=case)
    assert check.by_patient and check.by is None
    client.post(url, {"help": "1", "message": "Khó thở"})
    assert Alert.objects.filter(case=case, source="help").exists()


def test_it_refuses_forged_and_expired_links(open_case, personas, client):
    case = open_case(confirmed_on=dt.date(2022, 2, 1))
    token = services.self_report_token(by=personas["care_a"], case=case)
    assert client.get("/cases/cong-khai/theo-doi/" + "x" * 43 + "/").status_code == 404
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="negative")
    assert client.get(f"/cases/cong-khai/theo-doi/{token}/").status_code == 404
    assert client.post(f"/cases/cong-khai/theo-doi/{token}/", {"spo2": "98"}).status_code == 404
    assert Check.objects.count() == 0


def test_it_kills_the_old_link_when_a_new_one_is_issued(open_case, personas, client):
    case = open_case()
    old = services.self_report_token(by=personas["care_a"], case=case)
    new = services.self_report_token(by=personas["care_a"], case=case, renew=True)
    assert len(new) >= 40 and new != old
    assert client.get(f"/cases/cong-khai/theo-doi/{old}/").status_code == 404
    assert client.get(f"/cases/cong-khai/theo-doi/{new}/").status_code == 200


def test_it_rate_limits_submissions_and_guessing(open_case, personas, client, monkeypatch):
    case = open_case()
    token = services.self_report_token(by=personas["care_a"], case=case)
    monkeypatch.setattr(public, "SELF_REPORT_PER_HOUR", 3)
    codes = [client.post(f"/cases/cong-khai/theo-doi/{token}/", {"spo2": "98"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    monkeypatch.setattr(public, "BAD_TOKEN_PER_HOUR", 2)
    codes = [client.get("/cases/cong-khai/theo-doi/" + f"{i}" * 30 + "/").status_code for i in range(3)]
    assert codes == [404, 404, 429]


def test_it_shows_the_care_team_a_qr_code(open_case, personas, client_for):
    case = open_case()
    c = client_for(personas["care_a"])
    r = c.post(f"/cases/{case.pk}/lien-ket-tu-bao/")
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    case.refresh_from_db()
    assert "<svg" in page and f"/cases/cong-khai/theo-doi/{case.self_report_token}/" in page


def test_it_issues_a_self_report_link_only_on_post(open_case, personas, client_for):
    """A GET changes nothing: a link preview or prefetch of the page must not create (or kill) a patient's link."""
    case = open_case()
    c = client_for(personas["care_a"])
    page = c.get(f"/cases/{case.pk}/lien-ket-tu-bao/").content.decode()
    case.refresh_from_db()
    assert case.self_report_token in (None, "") and "<svg" not in page and 'id="no-link"' in page
    c.post(f"/cases/{case.pk}/lien-ket-tu-bao/")
    case.refresh_from_db()
    token = case.self_report_token
    assert token and len(token) >= 40
    c.get(f"/cases/{case.pk}/lien-ket-tu-bao/")
    case.refresh_from_db()
    assert case.self_report_token == token  # viewing again keeps the patient's link alive


def test_it_builds_the_link_from_the_public_address(open_case, personas, client_for, settings):
    settings.PUBLIC_BASE_URL = "https://phongdich.kontum.gov.vn"
    case = open_case()
    c = client_for(personas["care_a"])
    page = c.get(c.post(f"/cases/{case.pk}/lien-ket-tu-bao/")["Location"]).content.decode()
    case.refresh_from_db()
    assert f'value="https://phongdich.kontum.gov.vn/cases/cong-khai/theo-doi/{case.self_report_token}/"' in page
    settings.PUBLIC_BASE_URL = ""  # development without it: the address the request came in on
    page = c.get(f"/cases/{case.pk}/lien-ket-tu-bao/", HTTP_HOST="localhost:8765").content.decode()
    assert f'value="http://localhost:8765/cases/cong-khai/theo-doi/{case.self_report_token}/"' in page
