"""Every absolute link is built from one configured public address, checked at start-up against ALLOWED_HOSTS."""
from django.test import RequestFactory

from core.security import check_public_base_url, public_url


def _ids(settings, **kw):
    for k, v in kw.items():
        setattr(settings, k, v)
    return [e.id for e in check_public_base_url()]


def test_links_use_the_configured_address(settings):
    settings.PUBLIC_BASE_URL = "https://phongdich.kontum.gov.vn/"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    assert public_url("/cases/cong-khai/theo-doi/abc/", request) == "https://phongdich.kontum.gov.vn/cases/cong-khai/theo-doi/abc/"
    assert public_url("/x/") == "https://phongdich.kontum.gov.vn/x/"


def test_in_development_without_it_links_follow_the_request(settings):
    settings.PUBLIC_BASE_URL = ""
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8080")
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert public_url("/x/", request) == "http://127.0.0.1:8080/x/"
    assert public_url("/x/") == "http://127.0.0.1:8000/x/"


def test_the_start_up_check_refuses_a_missing_bad_or_unallowed_address(settings):
    assert _ids(settings, DEBUG=True, PUBLIC_BASE_URL="") == []
    assert _ids(settings, DEBUG=False, PUBLIC_BASE_URL="") == ["phongdich.E101"]
    assert _ids(settings, DEBUG=False, PUBLIC_BASE_URL="phongdich.kontum.gov.vn") == ["phongdich.E102"]
    assert _ids(settings, DEBUG=False, PUBLIC_BASE_URL="https://phongdich.kontum.gov.vn",
                ALLOWED_HOSTS=["phongdich.kontum.gov.vn"]) == []
    assert _ids(settings, DEBUG=False, PUBLIC_BASE_URL="https://127.0.0.1:8000",
                ALLOWED_HOSTS=["phongdich.kontum.gov.vn"]) == ["phongdich.E103"]
    assert _ids(settings, DEBUG=False, PUBLIC_BASE_URL="http://phongdich.kontum.gov.vn",
                ALLOWED_HOSTS=[".kontum.gov.vn"]) == ["phongdich.W104"]


def test_the_check_runs_with_manage_py_check(settings):
    from django.core import checks

    settings.DEBUG, settings.PUBLIC_BASE_URL, settings.ALLOWED_HOSTS = False, "https://elsewhere.example", ["phongdich.kontum.gov.vn"]
    assert "phongdich.E103" in [e.id for e in checks.run_checks()]
