"""API tokens: stored only as digests, named per device, expiring, revocable, audited, shown once; one query to
authenticate."""
import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import TokenAuthentication
from accounts.models import ApiToken
from accounts.services import create_token, revoke_token
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def api(key):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def test_it_stores_only_the_digest_of_the_key(personas):
    token, key = create_token(user=personas["commune_a"], name="Điện thoại trạm")
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert key not in str(stored.values())
    assert stored["digest"] == hashlib.sha256(key.encode()).hexdigest() and stored["prefix"] == key[:8]


def test_a_token_reads_within_its_users_jurisdiction(personas):
    _t, key = create_token(user=personas["commune_a"], name="phone")
    assert api(key).get("/api/people/").status_code == 200


def test_it_refuses_an_expired_token(personas, time_machine):
    _t, key = create_token(user=personas["commune_a"], name="phone", days=1)
    time_machine.move_to(timezone.now() + dt.timedelta(days=1, minutes=1))
    response = api(key).get("/api/people/")
    assert response.status_code == 401 and "hết hạn" in response.json()["detail"]


def test_it_refuses_a_revoked_token_and_audits_the_revocation(personas):
    token, key = create_token(user=personas["commune_a"], name="phone")
    other, other_key = create_token(user=personas["commune_a"], name="tablet")
    assert revoke_token(by=personas["commune_a"], token=token) is True
    assert api(key).get("/api/people/").status_code == 401
    assert api(other_key).get("/api/people/").status_code == 200  # per device: the other one still works
    assert AuditEvent.objects.filter(target_type="accounts.apitoken", target_id=str(token.pk), note="API token revoked").exists()
    assert AuditEvent.objects.filter(target_type="accounts.apitoken", target_id=str(token.pk), action="create").exists()


def test_a_token_stops_when_its_user_is_deactivated(personas):
    _t, key = create_token(user=personas["commune_a"], name="phone")
    personas["commune_a"].is_active = False
    personas["commune_a"].save(update_fields=["is_active"])
    assert api(key).get("/api/people/").status_code == 401


def test_its_lifetime_is_bounded(personas, settings):
    from core.errors import Invalid

    with pytest.raises(Invalid):
        create_token(user=personas["commune_a"], name="phone", days=settings.API_TOKEN_DAYS + 1)
    with pytest.raises(Invalid):
        create_token(user=personas["commune_a"], name="  ")


def test_authentication_is_one_query(personas, django_assert_num_queries):
    _t, key = create_token(user=personas["care_a"], name="phone")
    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
        assert user.jurisdiction_unit.path == personas["care_a"].unit.path and user.has_role({"care_team"})


@pytest.mark.parametrize("persona", ["care_a", "district_a", "agency", "admin"])
def test_the_user_built_from_the_one_query_is_the_user_the_orm_loads(personas, persona):
    """Parity of the fast path (a User rebuilt from one raw query) with the ORM: same field values, same unit, same
    permissions and scoping answers; the fields the query leaves out load on first use."""
    from django.contrib.auth import get_user_model

    from core.scoping import unit_q

    orm = get_user_model().objects.select_related("unit").get(pk=personas[persona].pk)
    _t, key = create_token(user=orm, name="parity")
    fast, token = TokenAuthentication().authenticate_credentials(key)
    assert token.user is fast and token.user_id == orm.pk
    for f in get_user_model()._meta.concrete_fields:
        assert getattr(fast, f.attname) == getattr(orm, f.attname), f.attname
    assert (fast.jurisdiction_unit and fast.jurisdiction_unit.pk) == (orm.jurisdiction_unit and orm.jurisdiction_unit.pk)
    assert fast.sees_everything == orm.sees_everything and fast.get_username() == orm.get_username()
    assert str(unit_q(fast, "commune")) == str(unit_q(orm, "commune"))


def test_the_account_page_mints_a_named_token_shown_once(personas, client_for):
    c = client_for(personas["admin"])  # verified second factor
    response = c.post("/accounts/tai-khoan/ma-api/", {"name": "Máy tính văn phòng", "days": 30}, follow=True)
    page = response.content.decode()
    token = ApiToken.objects.get(user=personas["admin"])
    key = page.split('<code id="api-token">')[1].split("</code>")[0]
    assert token.name == "Máy tính văn phòng" and token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert (token.expires_at - token.created_at).days == 30
    assert key not in c.get("/accounts/tai-khoan/").content.decode()  # never again
    assert api(key).get("/api/people/").status_code == 200


def test_a_user_without_a_second_factor_is_sent_to_set_one_up_before_minting(personas, client_for):
    response = client_for(personas["commune_a"]).post("/accounts/tai-khoan/ma-api/", {"name": "phone"})
    assert response.status_code == 302 and response["Location"] == "/accounts/xac-thuc-hai-lop/"
    assert not ApiToken.objects.exists()


def test_the_account_page_revokes_only_the_users_own_tokens(personas, client_for):
    mine, _k = create_token(user=personas["admin"], name="mine")
    theirs, _k2 = create_token(user=personas["commune_a"], name="theirs")
    c = client_for(personas["admin"])
    assert c.post(f"/accounts/tai-khoan/ma-api/{theirs.pk}/thu-hoi/").status_code == 404
    assert c.post(f"/accounts/tai-khoan/ma-api/{mine.pk}/thu-hoi/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_the_data_migration_hashes_the_earlier_plain_text_tokens(personas):
    """Installations upgraded from DRF's authtoken keep their tokens working, now as digests only."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("accounts.migrations.0004_hash_existing_api_tokens")
    key = "a" * 40
    with connection.cursor() as cur:
        cur.execute('CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created timestamp, user_id integer)')
        cur.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), personas["lab"].pk])
    # The migration reads only the editor's connection (SQLite refuses a schema editor inside the test's transaction).
    migration.hash_tokens(apps, SimpleNamespace(connection=connection))
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=personas["lab"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.expires_at > timezone.now()
    assert api(key).get("/api/people/").status_code == 200
