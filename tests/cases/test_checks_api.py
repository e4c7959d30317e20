"""POST /api/cases/{id}/checks/: warning signs and alert in the answer, bad values refused, stored once, scoping."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from cases.models import Alert, Check

pytestmark = pytest.mark.django_db


def post(api, case, **data):
    return api.post(f"/api/cases/{case.pk}/checks/", data, format="json")


def test_it_answers_no_warning_signs_for_a_normal_check(open_case, personas, api_for):
    case = open_case()
    r = post(api_for(personas["care_a"]), case, spo2=98, respiratory_rate=16, pulse=80, temperature="36.8")
    assert r.status_code == 201, r.content
    assert r.json()["warning_signs"] == [] and r.json()["alert"] is None
    assert Alert.objects.count() == 0
    case.refresh_from_db()
    assert case.last_check_at is not None


def test_it_answers_the_signs_met_and_the_alert_created(open_case, personas, api_for):
    case = open_case()
    r = post(api_for(personas["care_a"]), case, spo2=95, respiratory_rate=22, symptoms=["cough", "dyspnoea"])
    body = r.json()
    assert r.status_code == 201
    assert [s["code"] for s in body["warning_signs"]] == ["respiratory_rate", "spo2", "symptom:dyspnoea"]
    assert body["alert"]["id"] == Alert.objects.get().pk and body["alert"]["acknowledged_at"] is None
    assert body["rule"].startswith("261/QĐ-BYT")


@pytest.mark.parametrize("field,value", [("spo2", 101), ("respiratory_rate", -1), ("temperature", "29.9"), ("temperature", "45.1"), ("pulse", 0)])
def test_it_refuses_impossible_values_with_a_clear_message(open_case, personas, api_for, field, value):
    case = open_case()
    r = post(api_for(personas["care_a"]), case, **{field: value})
    assert r.status_code == 400
    assert r.json()["message_vi"] and r.json()["message_en"]
    assert Check.objects.count() == 0


def test_it_stores_the_same_check_once(open_case, personas, api_for):
    case = open_case()
    api = api_for(personas["care_a"])
    first = post(api, case, spo2=94, idempotency_key="tap-1")
    second = api.post(f"/api/cases/{case.pk}/checks/", {"spo2": 94}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["check"]["id"] == first.json()["check"]["id"]
    assert second.json()["alert"]["id"] == first.json()["alert"]["id"]
    assert Check.objects.count() == 1 and Alert.objects.count() == 1


def test_it_refuses_a_check_for_a_released_case(open_case, personas, api_for):
    from cases import services

    case = open_case(confirmed_on=dt.date(2022, 2, 1))
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="negative")
    r = post(api_for(personas["care_a"]), case, spo2=98)
    assert r.status_code == 400 and "closed" in r.json()["message_en"]


def test_it_hides_other_communes_cases_and_refuses_leadership_writes(open_case, personas, api_for):
    case = open_case()
    assert post(api_for(personas["commune_b"]), case, spo2=98).status_code == 404
    assert post(api_for(personas["leader"]), case, spo2=98).status_code == 403
    assert api_for(personas["leader"]).get(f"/api/cases/{case.pk}/").status_code == 200
    listing = api_for(personas["commune_b"]).get("/api/cases/").json()
    ids = [c["id"] for c in (listing["results"] if isinstance(listing, dict) else listing)]
    assert case.pk not in ids
    assert AuditEvent.objects.filter(action="view", target_type="cases.case", actor=personas["leader"]).exists()


def test_it_lets_an_alert_be_acknowledged_once_over_the_api(open_case, personas, api_for):
    case = open_case()
    api = api_for(personas["care_a"])
    alert_id = post(api, case, spo2=90).json()["alert"]["id"]
    r = api.post(f"/api/alerts/{alert_id}/acknowledge/", {"note": "Đã gọi điện"}, format="json")
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    again = api_for(personas["commune_a"]).post(f"/api/alerts/{alert_id}/acknowledge/", {}, format="json")
    assert again.json()["acknowledged_at"] == r.json()["acknowledged_at"]


@pytest.mark.parametrize("payload", [
    {}, [], {"taken_at": "9999-12-31T23:59:59Z", "spo2": 98}, {"taken_at": "2019-01-01T08:00:00Z", "spo2": 98},
    {"symptoms": ["not-a-symptom"]}, {"spo2": 10**12}, {"temperature": "36.55555"}, {"systolic": 100, "diastolic": 120},
])
def test_it_answers_400_never_500_to_malformed_checks(open_case, personas, api_for, payload):
    case = open_case()
    r = api_for(personas["care_a"]).post(f"/api/cases/{case.pk}/checks/", payload, format="json")
    assert r.status_code == 400, r.content
    assert Check.objects.count() == 0


def test_it_answers_a_retried_check_with_the_first_result_even_after_the_case_closed(open_case, personas, api_for):
    from cases import services

    case = open_case(confirmed_on=dt.date(2022, 2, 1))
    api = api_for(personas["care_a"])
    first = post(api, case, spo2=98, idempotency_key="slow-net-1", taken_at="2022-02-07T08:00:00+07:00")
    assert first.status_code == 201, first.content
    case.refresh_from_db()
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8), test_result="negative")
    again = post(api, case, spo2=98, idempotency_key="slow-net-1", taken_at="2022-02-07T08:00:00+07:00")
    assert again.status_code == 200 and again.json()["check"]["id"] == first.json()["check"]["id"]
    assert post(api, case, spo2=98, idempotency_key="new-1").status_code == 400
    assert Check.objects.count() == 1 and AuditEvent.objects.filter(target_type="cases.check", action="create").count() == 1


def test_it_records_a_check_in_a_handful_of_queries(open_case, personas, api_for, django_assert_max_num_queries):
    # Token + user + unit, scoped case, then on PostgreSQL one statement (check, last_check_at, audit); elsewhere one
    # transaction (BEGIN/COMMIT/savepoints aside).
    from django.db import connection

    case = open_case()
    api = api_for(personas["care_a"])
    post(api, case, spo2=98)  # rule cache warm
    with django_assert_max_num_queries(3 if connection.vendor == "postgresql" else 9):
        r = post(api, case, spo2=98, idempotency_key="q-1")
    assert r.status_code == 201
    assert AuditEvent.objects.filter(target_type="cases.check", target_id=str(r.json()["check"]["id"]), action="create").exists()


def test_it_refuses_an_unknown_or_disabled_token(open_case, personas, api_for):
    from rest_framework.test import APIClient

    case = open_case()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert stranger.post(f"/api/cases/{case.pk}/checks/", {"spo2": 98}, format="json").status_code == 401
    api = api_for(personas["care_a"])
    personas["care_a"].is_active = False
    personas["care_a"].save(update_fields=["is_active"])
    assert post(api, case, spo2=98).status_code == 401
    assert Check.objects.count() == 0


@pytest.mark.parametrize("who", ["care_a", "agency", "admin"])
def test_the_token_lookup_answers_the_user_with_the_unit_and_the_rest_on_demand(personas, who):
    from accounts.authentication import TokenAuthentication
    from accounts.models import User
    from accounts.services import create_token

    stored = User.objects.select_related("unit").get(pk=personas[who].pk)
    stored_token, key = create_token(user=stored, name="phone")
    user, token = TokenAuthentication().authenticate_credentials(key)
    assert token.pk == stored_token.pk and token.user is user and user.pk == stored.pk
    for f in ("username", "role", "unit_id", "facility_id", "agency_id"):
        assert getattr(user, f) == getattr(stored, f)
    assert user.is_active is True and user.is_superuser is stored.is_superuser and user.sees_everything == stored.sees_everything
    assert (user.unit.path, user.unit.is_post_2025) == (stored.unit.path, stored.unit.is_post_2025) if stored.unit_id else user.unit is None
    assert user.jurisdiction_unit == stored.jurisdiction_unit
    # A column the lookup does not read is fetched when used, not left empty.
    assert user.full_name == stored.full_name and user.is_staff is stored.is_staff and user.email == stored.email
