"""Shared fixtures: Kon Tum's units, personas in different communes, a verified administrator, Chromium."""
import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

KONTUM = "62"
COMMUNE_A = "23281"  # Phường Quang Trung, TP Kon Tum (608)
COMMUNE_A2 = "23284"  # Phường Duy Tân, TP Kon Tum (608): same district as A


@pytest.fixture(scope="session", autouse=True)
def _one_live_request_at_a_time_on_sqlite(django_db_setup):
    """On SQLite the live server's threads share the test database's one in-memory connection (Django's
    connections_override): two requests at once (the field app downloads its worklists side by side) interleave their
    savepoints on it and fail at random. Requests are served one at a time there, each whole; PostgreSQL keeps a
    connection per thread and runs them concurrently, as in production."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return

    class SerialisedWSGIServer(ThreadedWSGIServer):
        _lock = threading.Lock()

        def set_app(self, application):
            def serialised(environ, start_response):
                with self._lock:
                    return application(environ, start_response)

            super().set_app(serialised)

    original = LiveServerThread.server_class
    LiveServerThread.server_class = SerialisedWSGIServer
    yield
    LiveServerThread.server_class = original



@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.TESTING = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.cache import cache

    cache.clear()  # rate-limit counters and cached rules start empty in every test


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the units once per test database; tests roll back around them.

    Transactional tests (live_server) flush the tables afterwards; `kontum` then loads them again.
    """
    from django.db import connection

    from geo.loader import load_admin_units

    with django_db_blocker.unblock():
        # The reference data the migrations seeded (rule versions, criteria, products, agencies), to restore
        # after a live-server test's flush erased it.
        # Content types and permissions are recreated by the flush itself (post_migrate): leave them out.
        import json

        rows = json.loads(connection.creation.serialize_db_to_string())
        _SNAPSHOT["migrations"] = json.dumps(
            [r for r in rows if r["model"] not in ("contenttypes.contenttype", "auth.permission")]
        )
        load_admin_units({KONTUM})


_SNAPSHOT: dict[str, str] = {}
_DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """A rolled-back test sends no signal: start each test with an empty cache of rule versions."""
    from diseases.rules import clear_local

    clear_local()
    yield


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Every database test starts with the migrations' reference data, even after a flush."""
    if not (_DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db")):
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    from diseases.models import RuleSet

    with django_db_blocker.unblock():
        if _SNAPSHOT.get("migrations") and not RuleSet.objects.exists():
            connection.creation.deserialize_db_from_string(_SNAPSHOT["migrations"])


@pytest.fixture(autouse=True)
def _audit_trail_survives_flush(request):
    """Transactional tests (live_server) end with a flush. On SQLite that is a DELETE on every table, which the
    append-only audit trigger refuses (PostgreSQL TRUNCATEs and fires no row trigger), so empty the audit table
    with the trigger lifted for a moment, just before the flush."""
    if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so its flush runs after this teardown
    yield
    from django.db import connection

    from audit.migrations_sql import SQLITE_SQL

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            cur.execute("DELETE FROM audit_auditevent")
            cur.execute(SQLITE_SQL[1])


@pytest.fixture
def kontum(db):
    """Kon Tum's pre-2025 units (province 62: 10 districts, 102 communes) and the 2025 structure."""
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit

    if not AdministrativeUnit.objects.filter(path="/62/").exists():
        load_admin_units({KONTUM})
    return AdministrativeUnit.objects.get(path="/62/")


def unit(path: str):
    from geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(path=path)


@pytest.fixture
def commune_a(kontum):
    return unit("/62/608/23281/")


@pytest.fixture
def commune_a2(kontum):
    return unit("/62/608/23284/")


@pytest.fixture
def commune_b(kontum):
    """A commune of another district (Đăk Glei, 610)."""
    from geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(path__startswith="/62/610/", level="commune").order_by("code").first()


def make_user(username, role, unit=None, **extra):
    from accounts.models import User

    user = User.objects.create_user(username=username, password="Mat-khau-2022", role=role, unit=unit,
                                    full_name=extra.pop("full_name", username), **extra)
    return user


@pytest.fixture
def personas(kontum, commune_a, commune_b):
    """Named users: commune staff of A and B, district of A, province leadership, health dept, agency, admin."""
    from accounts.models import Agency

    education = Agency.objects.get_or_create(name="Sở Giáo dục và Đào tạo", defaults={"kind": "department"})[0]
    return {
        "commune_a": make_user("tram_a", "commune_health", commune_a),
        "commune_b": make_user("tram_b", "commune_health", commune_b),
        "care_a": make_user("to_cham_soc_a", "care_team", commune_a),
        "district_a": make_user("huyen_a", "district_health", commune_a.parent),
        "leader": make_user("lanh_dao", "leadership", kontum),
        "health_dept": make_user("so_y_te", "health_dept", kontum),
        "lab": make_user("xet_nghiem", "lab", kontum),
        "vaccinator_a": make_user("tiem_a", "vaccinator", commune_a),
        "agency": make_user("so_gd", "agency_officer", None, agency=education),
        "admin": make_user("quantri", "sysadmin", kontum, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client signed in as that user (with a verified 2nd factor for admins)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        if user.requires_two_factor:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})[0]
            session = c.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return c

    return make


@pytest.fixture
def api_for():
    """api_for(user) → a DRF APIClient authenticated with the user's token."""
    import secrets

    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts.models import ApiToken
    from accounts.services import token_digest

    def make(user):
        # A token as accounts.services.create_token stores it, without its audit row (test set-up, not a user's act).
        key = secrets.token_urlsafe(30)
        ApiToken.objects.create(user=user, name="test", digest=token_digest(key), prefix=key[:8],
                                expires_at=timezone.now() + dt.timedelta(days=1))
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return c

    return make


def make_person(commune, **kw):
    from core.text import fold
    from people.models import Person

    defaults = {"full_name": "Nguyễn Văn An", "birth_year": 1980, "sex": "M"}
    defaults.update(kw)
    if defaults.get("date_of_birth"):
        defaults["birth_year"] = defaults["date_of_birth"].year
    p = Person(commune=commune, **defaults)
    p.name_folded = fold(p.full_name)
    p.save()
    return p


@pytest.fixture
def person_factory():
    return make_person


@pytest.fixture
def today():
    return dt.date.today()


# --- Browser tests: Debian's Chromium driven by Playwright (no browser download) ---------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
    }


@pytest.fixture
def phone_page(browser):
    """A page the size of a phone (commune workers use phones)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, live_server, username, password="Mat-khau-2022"):
    page.goto(f"{live_server.url}/accounts/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.fixture
def old_structure(settings):
    """An installation still on the pre-2025 structure (Kon Tum, 62): for tests that record today's care on the
    fixtures' pre-2025 communes. On a 2025 installation such records are refused until the people are re-homed
    (geo.eras, docs/geo.md). Use with `pytestmark = pytest.mark.usefixtures("old_structure")`."""
    settings.PHONGDICH_STRUCTURE = "pre2025"
    settings.PHONGDICH_PROVINCE_CODE = "62"
