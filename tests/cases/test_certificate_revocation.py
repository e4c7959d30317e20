"""Recovery certificates: a random code (nothing derived from ids), revocable by the care team with an audit row; a
revoked code says so and shows nothing personal; checking codes is rate-limited per address."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from cases import public, services
from cases.models import RecoveryCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def recovered(open_case, personas):
    case = open_case(full_name="Nguyễn Thị Hằng", confirmed_on=dt.date(2022, 2, 1))
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8),
                            test_result="negative")
    return case


def test_its_code_is_opaque(recovered, personas):
    cert = services.issue_certificate(by=personas["care_a"], case=recovered)
    other = services.issue_certificate(by=personas["care_a"], case=recovered)
    assert len(cert.verify_token) >= 40 and cert.number not in cert.verify_token and other.verify_token == cert.verify_token


def test_the_care_team_revokes_it_and_the_public_page_says_so_without_personal_data(recovered, personas, client_for, client):
    c = client_for(personas["care_a"])
    assert c.get(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh.pdf").status_code == 200
    cert = RecoveryCertificate.objects.get(case=recovered)
    url = f"/cases/cong-khai/xac-minh/{cert.verify_token}/"
    assert "Nguyễn Thị Hằng" in client.get(url, REMOTE_ADDR="198.51.100.20").content.decode()
    assert AuditEvent.objects.filter(action="view", actor=None, actor_label="public", person_id=recovered.person_id,
                                     ip="198.51.100.20").exists()  # the public check of a person's data is audited
    assert c.get(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh/thu-hoi/").status_code == 404  # a GET changes nothing
    r = c.post(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh/thu-hoi/", {"reason": "Cấp nhầm"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoked_by == personas["care_a"] and cert.revoke_reason == "Cấp nhầm"
    assert AuditEvent.objects.filter(target_type="cases.recoverycertificate", target_id=str(cert.pk),
                                     note__startswith="certificate revoked").exists()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 410 and "đã bị thu hồi" in html
    assert "Nguyễn Thị Hằng" not in html and "Hằng" not in html and "1980" not in html and cert.number not in html
    # Printing again gives a new code; the revoked one stays dead.
    assert c.get(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh.pdf").status_code == 200
    cert.refresh_from_db()
    assert cert.revoked_at is None and f"/cases/cong-khai/xac-minh/{cert.verify_token}/" != url
    assert client.get(url).status_code == 404
    assert client.get(f"/cases/cong-khai/xac-minh/{cert.verify_token}/").status_code == 200


def test_only_the_cases_care_staff_may_revoke(recovered, personas, client_for):
    cert = services.issue_certificate(by=personas["care_a"], case=recovered)
    assert client_for(personas["commune_b"]).post(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh/thu-hoi/").status_code == 404
    assert client_for(personas["leader"]).post(f"/cases/{recovered.pk}/giay-xac-nhan-khoi-benh/thu-hoi/").status_code == 403
    cert.refresh_from_db()
    assert cert.revoked_at is None


def test_checking_codes_is_rate_limited_per_address(recovered, personas, client, monkeypatch):
    cert = services.issue_certificate(by=personas["care_a"], case=recovered)
    monkeypatch.setattr(public, "BAD_TOKEN_PER_HOUR", 3)
    codes = [client.get(f"/cases/cong-khai/xac-minh/{'x' * 30}{i}/").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]
    # Once guessing is refused, a real code from the same address is refused too (no oracle left).
    assert client.get(f"/cases/cong-khai/xac-minh/{cert.verify_token}/").status_code == 429
    # Another address is not affected, and valid checks are bounded too.
    monkeypatch.setattr(public, "VERIFY_PER_HOUR", 2)
    other = {"REMOTE_ADDR": "203.0.113.9"}
    codes = [client.get(f"/cases/cong-khai/xac-minh/{cert.verify_token}/", **other).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
