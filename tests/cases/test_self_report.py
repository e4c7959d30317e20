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
    page = client_for(personas["care_a"]).get(f"/cases/{case.pk}/lien-ket-tu-bao/").content.decode()
    assert "<svg" in page and "/cases/cong-khai/theo-doi/" in page
