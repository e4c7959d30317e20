"""The client's address: X-Forwarded-For is believed only from TRUSTED_PROXIES. One function (core.security.client_ip)
feeds the audit trail, the rate limits and django-axes, so a client cannot choose its own address."""
import pytest
from django.test import RequestFactory

from audit.models import AuditEvent
from core.security import client_ip

LOGIN = "/accounts/dang-nhap/"


def _req(remote, xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_req("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_req("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


def test_behind_a_trusted_proxy_the_client_is_the_first_untrusted_hop_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_req("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # The client prepended a forged address: the proxy appended the real one, which wins.
    assert client_ip(_req("127.0.0.1", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # Two trusted hops (load balancer 10.1.2.3, then nginx on 127.0.0.1).
    assert client_ip(_req("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3")) == "198.51.100.7"
    # Garbage or no header: the last address a trusted proxy vouched for.
    assert client_ip(_req("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert client_ip(_req("127.0.0.1")) == "127.0.0.1"
    assert client_ip(_req("127.0.0.1", "2001:db8::1")) == "2001:db8::1"


def test_a_bad_trusted_proxies_value_fails_the_start_up_check(settings):
    from core.security import check_trusted_proxies

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.local"]
    assert [e.id for e in check_trusted_proxies()] == ["phongdich.E105"]


@pytest.mark.django_db
def test_the_audit_trail_records_the_real_address_not_a_forged_one(personas, client, settings):
    settings.TRUSTED_PROXIES = []
    client.post(LOGIN, {"username": "tram_a", "password": "Mat-khau-2022"}, REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert set(AuditEvent.objects.exclude(ip=None).values_list("ip", flat=True)) == {"203.0.113.5"}


@pytest.mark.django_db
def test_public_rate_limits_cannot_be_dodged_with_a_forged_header(kontum, client, settings):
    from reports import views

    settings.TRUSTED_PROXIES = []
    codes = [client.post("/reports/cong-khai/phan-anh/", {}, REMOTE_ADDR="203.0.113.5",
                         HTTP_X_FORWARDED_FOR=f"1.1.1.{i}").status_code for i in range(views.PUBLIC_POSTS_PER_HOUR + 1)]
    assert codes[-1] == 429


@pytest.mark.django_db
def test_sign_in_lockout_cannot_be_dodged_with_a_forged_header_but_follows_the_proxys_address(personas, client, settings):
    settings.TRUSTED_PROXIES = []
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "tram_a", "password": "sai"}, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}")
    r = client.post(LOGIN, {"username": "tram_a", "password": "Mat-khau-2022"}, REMOTE_ADDR="203.0.113.5",
                    HTTP_X_FORWARDED_FOR="9.9.9.99")
    assert "_auth_user_id" not in client.session and r.status_code in (403, 429)
    # Behind the trusted proxy, another client (another forwarded address) is not locked out.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    r = client.post(LOGIN, {"username": "tram_a", "password": "Mat-khau-2022"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert r.status_code == 302 and client.session.get("_auth_user_id") == str(personas["commune_a"].pk)


def test_rate_limit_counters_are_shared_between_worker_processes():
    """Not one worker's memory: Redis when configured, else files under var/cache/ (see docs/security.md). Two hits
    here and one in another process reach a limit of 2 together."""
    import subprocess
    import sys

    from django.conf import settings

    from core.ratelimit import hit

    assert not hit("test:shared", 2) and not hit("test:shared", 2)
    code = "from core.ratelimit import hit; print(hit('test:shared', 2))"
    out = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", code],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == "True"
