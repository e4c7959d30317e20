"""Vaccination certificates carry an opaque random code (not the person's id, signed or not) that expires after
VACCINATION_CERTIFICATE_DAYS and can be revoked by vaccination staff (audited); the public page then says so and
shows nothing about the person; checks are rate-limited per address."""
import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from vaccination import services, views
from vaccination.models import Certificate

pytestmark = pytest.mark.django_db


def _verify(client, cert, **extra):
    return client.get(f"/vaccination/cong-khai/xac-minh/{cert.token}/", **extra)


def test_printing_issues_an_opaque_code_valid_for_the_configured_days(client_for, personas, adult, settings):
    settings.VACCINATION_CERTIFICATE_DAYS = 30
    c = client_for(personas["vaccinator_a"])
    assert c.get(f"/vaccination/nguoi/{adult.pk}/giay-chung-nhan.pdf").status_code == 200
    cert = Certificate.objects.get(person=adult)
    # 32 random bytes, not a signed person id (the old code was signing.dumps({"p": pk}): anyone could read the id).
    assert len(cert.token) >= 40 and ":" not in cert.token
    assert cert.expires_on == timezone.localdate() + dt.timedelta(days=30)
    c.get(f"/vaccination/nguoi/{adult.pk}/giay-chung-nhan.pdf")
    assert Certificate.objects.filter(person=adult).count() == 1  # a second print reuses the valid code


def test_an_expired_code_says_so_without_personal_data(client, personas, adult):
    cert = services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    assert _verify(client, cert).status_code == 200
    assert AuditEvent.objects.filter(action="view", actor_label="public", person_id=adult.pk).exists()
    Certificate.objects.filter(pk=cert.pk).update(expires_on=timezone.localdate())
    r = _verify(client, cert)
    html = r.content.decode()
    assert r.status_code == 410 and "đã hết hạn" in html and adult.full_name not in html and "1970" not in html


def test_staff_revoke_the_codes_and_the_page_says_so(client_for, client, personas, adult):
    cert = services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    c = client_for(personas["vaccinator_a"])
    assert c.post(f"/vaccination/nguoi/{adult.pk}/giay-chung-nhan/thu-hoi/").status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoked_by == personas["vaccinator_a"]
    assert AuditEvent.objects.filter(person_id=adult.pk, note="vaccination certificates revoked").exists()
    r = _verify(client, cert)
    assert r.status_code == 410 and "đã bị thu hồi" in r.content.decode() and adult.full_name not in r.content.decode()
    # A new print gives a new code.
    new = services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    assert new.token != cert.token and _verify(client, new).status_code == 200


def test_revoking_is_for_vaccination_staff_of_the_area(client_for, personas, adult):
    cert = services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    assert client_for(personas["commune_b"]).post(f"/vaccination/nguoi/{adult.pk}/giay-chung-nhan/thu-hoi/").status_code in (403, 404)
    assert client_for(personas["leader"]).post(f"/vaccination/nguoi/{adult.pk}/giay-chung-nhan/thu-hoi/").status_code == 403
    cert.refresh_from_db()
    assert cert.revoked_at is None


def test_checks_are_rate_limited_per_address(client, personas, adult, monkeypatch):
    cert = services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    monkeypatch.setattr(views, "BAD_TOKEN_PER_HOUR", 2)
    codes = [client.get(f"/vaccination/cong-khai/xac-minh/{'y' * 40}{i}/").status_code for i in range(3)]
    assert codes == [404, 404, 429]
    monkeypatch.setattr(views, "VERIFY_PER_HOUR", 2)
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert [_verify(client, cert, **other).status_code for _ in range(3)] == [200, 200, 429]
