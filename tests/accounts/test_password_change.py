"""Every user changes his own password; an account that must (demo account, new or reset account) does so before
anything else, unless the installation is the demo (settings.PHONGDICH_DEMO)."""
import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tai-khoan/doi-mat-khau/"
OLD = "Mat-khau-2022"
NEW = "Rung-thong-Kon-Tum-7"


def sign_in(c, password) -> bool:
    return c.post("/accounts/dang-nhap/", {"username": "tram_a", "password": password}).status_code == 302


def change(c, old=OLD, new=NEW, again=None):
    return c.post(PAGE, {"old_password": old, "new_password": new, "new_password2": again or new})


def test_the_account_page_links_to_the_password_change(personas, client_for):
    assert PAGE in client_for(personas["commune_a"]).get("/accounts/tai-khoan/").content.decode()


def test_a_user_changes_his_password_and_it_is_audited(personas, client_for, client):
    c = client_for(personas["commune_a"])
    assert change(c).status_code == 302
    assert c.get("/people/").status_code == 200  # still signed in
    assert sign_in(client, NEW) and not sign_in(Client(), OLD)
    assert AuditEvent.objects.filter(actor=personas["commune_a"], note="own password changed").exists()


@pytest.mark.parametrize("old,new,again,message", [
    ("sai-mat-khau-1", NEW, None, "Mật khẩu hiện tại không đúng"),
    (OLD, NEW, "Khac-hoan-toan-9", "không khớp"),
    (OLD, "1234567890", None, "mật khẩu"),
    (OLD, OLD, None, "phải khác"),
])
def test_it_refuses_a_bad_change_with_a_reason(personas, client_for, client, old, new, again, message):
    response = change(client_for(personas["commune_a"]), old, new, again)
    assert response.status_code == 200 and message.lower() in response.content.decode().lower()
    assert sign_in(client, OLD)


@pytest.fixture
def demo_account(kontum):
    return make_user("soyte", "health_dept", kontum, must_change_password=True)


def test_outside_the_demo_a_demo_account_must_change_its_password_first(demo_account, client_for, settings):
    settings.PHONGDICH_DEMO = False
    c = client_for(demo_account)
    response = c.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith(PAGE)
    api = c.get("/api/people/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    assert c.get(PAGE).status_code == 200
    assert change(c).status_code == 302
    demo_account.refresh_from_db()
    assert demo_account.must_change_password is False and c.get("/people/").status_code == 200


def test_the_demo_installation_keeps_the_shared_password(demo_account, client_for, settings):
    settings.PHONGDICH_DEMO = True
    assert client_for(demo_account).get("/people/").status_code == 200


def test_the_demo_command_marks_its_accounts(kontum):
    """`phongdich demo` creates its users with must_change_password (the README publishes their password)."""
    from types import SimpleNamespace

    from accounts.models import User
    from core.management.commands.demo import Command
    from geo.models import AdministrativeUnit

    units = AdministrativeUnit.objects.filter(path__startswith="/62/")
    ctx = SimpleNamespace(province=kontum, districts=list(units.filter(level="district").order_by("code")),
                          communes=list(units.filter(level="commune").order_by("code")), users={})
    Command()._users(ctx)
    assert len(ctx.users) == 9
    assert not User.objects.filter(pk__in=[u.pk for u in ctx.users.values()], must_change_password=False).exists()
