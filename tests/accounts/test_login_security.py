"""Signing in: throttling of failed attempts, strong passwords, second factor for administrators, session expiry."""
import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/dang-nhap/"
PASSWORD = "Mat-khau-2022"


def sign_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


# --- Throttling (django-axes) ---------------------------------------------------------------------------------
def test_a_good_password_signs_in(personas, client):
    response = sign_in(client, "tram_a")
    assert response.status_code == 302
    assert client.get("/people/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(personas, client):
    response = sign_in(client, "tram_a", "sai-mat-khau")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_username_from_that_address(personas, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "tram_a", "sai-mat-khau")
    locked = sign_in(client, "tram_a")  # even the right password
    assert locked.status_code == 429
    assert "Tài khoản tạm bị khóa" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(personas, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "tram_a", "sai-mat-khau", ip="10.0.0.1")
    # Another user on the same shared station, and the same user from another address, still sign in.
    from django.test import Client

    assert sign_in(Client(), "tram_b", ip="10.0.0.1").status_code == 302
    assert sign_in(Client(), "tram_a", ip="10.0.0.2").status_code == 302


def test_four_failures_then_success_resets_the_counter(personas, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "tram_a", "sai-mat-khau")
    assert sign_in(client, "tram_a").status_code == 302
    from django.test import Client

    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(other, "tram_a", "sai-mat-khau")
    assert sign_in(other, "tram_a").status_code == 302


def test_the_lock_lifts_after_the_cool_off(personas, client, time_machine):
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "tram_a", "sai-mat-khau")
    assert sign_in(client, "tram_a").status_code == 429
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 16, tzinfo=dt.UTC))
    assert sign_in(client, "tram_a").status_code == 302


# --- Strong passwords ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password",
    ["Abc-123", "1234567890123", "matkhaumatkhau", "password123", "Mat-khau", "qwertyuiop12"],
)
def test_weak_passwords_are_refused(personas, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=personas["commune_a"])


@pytest.mark.parametrize("password", ["Kon-Tum-2022!", "trạm y tế 58 quang trung", "Ngoc-Hoi#4821"])
def test_strong_passwords_are_accepted(personas, password):
    validate_password(password, user=personas["commune_a"])


def test_the_password_rules_are_explained_in_vietnamese(personas):
    with pytest.raises(ValidationError) as exc:
        validate_password("matkhaumatkhau", user=personas["commune_a"])
    assert any("chữ số" in m for m in exc.value.messages)


# --- Two factors -------------------------------------------------------------------------------------------------
def test_an_administrator_is_sent_to_set_up_a_second_factor(personas, client):
    sign_in(client, "quantri")
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/accounts/xac-thuc-hai-lop/"
    assert client.get("/quantri/").status_code == 302


def test_an_administrator_sets_up_totp_and_gets_in(personas, client, time_machine):
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    sign_in(client, "quantri")
    page = client.get("/accounts/xac-thuc-hai-lop/")
    assert page.status_code == 200 and "data:image/png;base64" in page.content.decode()
    device = TOTPDevice.objects.get(user=personas["admin"], confirmed=False)
    wrong = client.post("/accounts/xac-thuc-hai-lop/", {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and client.get("/audit/").status_code == 302
    time_machine.shift(5)  # django-otp slows down guessing after a wrong code
    ok = client.post("/accounts/xac-thuc-hai-lop/", {"token": current_code(device)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/audit/").status_code == 200
    from audit.models import AuditEvent

    notes = set(AuditEvent.objects.filter(actor=personas["admin"], target_type="otp_totp.totpdevice").values_list("note", flat=True))
    assert notes == {"second factor set-up started", "second factor confirmed"}  # both written by accounts.services


def test_an_administrator_with_a_device_must_type_a_code_at_each_sign_in(personas, client, time_machine):
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    device = TOTPDevice.objects.create(user=personas["admin"], name="phone", confirmed=True)
    sign_in(client, "quantri")
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/xac-thuc/?next=/audit/")
    assert client.post("/accounts/xac-thuc/", {"token": "12345", "next": "/audit/"}).status_code == 200
    time_machine.shift(5)
    response = client.post("/accounts/xac-thuc/", {"token": current_code(device), "next": "/audit/"})
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


def test_a_code_cannot_be_replayed(personas, client, time_machine):
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    device = TOTPDevice.objects.create(user=personas["admin"], name="phone", confirmed=True)
    sign_in(client, "quantri")
    code = current_code(device)
    assert client.post("/accounts/xac-thuc/", {"token": code}).status_code == 302
    from django.test import Client

    other = Client()
    sign_in(other, "quantri")
    assert other.post("/accounts/xac-thuc/", {"token": code}).status_code == 200
    assert other.get("/audit/").status_code == 302


def test_the_verify_page_does_not_redirect_to_another_site(personas, client):
    device = TOTPDevice.objects.create(user=personas["admin"], name="phone", confirmed=True)
    sign_in(client, "quantri")
    response = client.post("/accounts/xac-thuc/?next=https://evil.example/", {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"


def test_other_users_need_no_second_factor_but_may_turn_it_on(personas, client, time_machine):
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    sign_in(client, "tram_a")
    assert client.get("/people/").status_code == 200
    assert client.get("/accounts/xac-thuc-hai-lop/").status_code == 200
    device = TOTPDevice.objects.get(user=personas["commune_a"])
    assert client.post("/accounts/xac-thuc-hai-lop/", {"token": current_code(device)}).status_code == 302
    from django.test import Client

    again = Client()
    sign_in(again, "tram_a")
    assert again.get("/people/").status_code == 302  # now asked for the code
    time_machine.shift(31)  # a code is good once: the next one comes 30 s later
    assert again.post("/accounts/xac-thuc/", {"token": current_code(device), "next": "/people/"}).status_code == 302
    assert again.get("/people/").status_code == 200


def test_the_api_with_a_token_is_not_blocked_by_the_second_factor(personas, api_for):
    make_user("admin2", "sysadmin", None, is_staff=True)
    assert api_for(personas["commune_a"]).get("/api/people/").status_code == 200


# --- Sessions --------------------------------------------------------------------------------------------------
def test_sessions_expire_after_the_configured_inactivity(personas, client, time_machine):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    time_machine.move_to(dt.datetime(2022, 2, 14, 8, 0, tzinfo=dt.UTC))
    sign_in(client, "tram_a")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    time_machine.move_to(dt.datetime(2022, 2, 14, 15, 0, tzinfo=dt.UTC))
    assert client.get("/people/").status_code == 200  # activity renews the session
    time_machine.move_to(dt.datetime(2022, 2, 14, 23, 1, tzinfo=dt.UTC))
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/dang-nhap/")


def test_signing_out_needs_a_post_and_ends_the_session(personas, client):
    sign_in(client, "tram_a")
    client.post("/accounts/dang-xuat/")
    assert client.get("/people/").status_code == 302
