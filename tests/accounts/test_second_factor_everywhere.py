"""Security finding (high): the administrators' second factor did not apply to /api/ or /accounts/. A password alone,
through the session, exported the registry and minted a permanent API token. The second factor now guards every
authenticated path; only the pages that complete sign-in stay open."""
import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def password_only(user):
    """A session that passed the password but not the second factor."""
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def admin_with_device(personas):
    TOTPDevice.objects.create(user=personas["admin"], name="phone", confirmed=True)
    return personas["admin"]


def test_it_refuses_the_api_to_an_administrators_session_without_the_second_factor(admin_with_device, person_factory):
    response = password_only(admin_with_device).get("/api/people/")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "otp_required" and body["message_vi"] and body["message_en"]


def test_it_refuses_the_api_to_an_administrator_who_has_not_set_up_a_second_factor(personas):
    assert password_only(personas["admin"]).get("/api/people/").status_code == 403


def test_it_lets_a_verified_administrator_use_the_api_with_his_session(personas, client_for):
    assert client_for(personas["admin"]).get("/api/people/").status_code == 200


def test_a_password_alone_cannot_mint_an_api_token(admin_with_device):
    c = password_only(admin_with_device)
    response = c.post("/accounts/tai-khoan/ma-api/", {"name": "laptop"})
    assert response.status_code == 302 and "/accounts/xac-thuc/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_the_account_page_needs_the_second_factor_too(admin_with_device):
    response = password_only(admin_with_device).get("/accounts/tai-khoan/")
    assert response.status_code == 302 and "/accounts/xac-thuc/" in response["Location"]


def test_a_user_who_turned_the_second_factor_on_needs_it_for_the_api(personas):
    TOTPDevice.objects.create(user=personas["commune_a"], name="phone", confirmed=True)
    assert password_only(personas["commune_a"]).get("/api/people/").status_code == 403


def test_a_user_without_a_second_factor_uses_the_api_with_his_session(personas):
    assert password_only(personas["commune_a"]).get("/api/people/").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/xac-thuc/", "/accounts/xac-thuc-hai-lop/"])
def test_the_pages_that_complete_the_sign_in_stay_open(admin_with_device, path):
    assert password_only(admin_with_device).get(path).status_code == 200
