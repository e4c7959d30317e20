"""record_check on PostgreSQL writes the check, its alert, the last-check time and the audit row in one SQL statement;
the rows must be exactly those the ORM path (SQLite, or a model with its own __str__) writes."""
import datetime as dt
import threading

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import isolate_apps

from audit.models import AuditEvent
from audit.services import event
from cases import services, statements
from cases.models import Alert, CaseEvent, Check
from core.context import current_ip, current_user_agent

from .conftest import at

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's")


def _orm_path(monkeypatch):
    monkeypatch.setattr(statements, "default_str_sql", lambda model, id_sql: None)


def _rows(case):
    check = Check.objects.get(case=case)
    audit = AuditEvent.objects.get(target_type="cases.check", target_id=str(check.pk))
    alert = Alert.objects.filter(case=case).first()
    events = list(CaseEvent.objects.filter(case=case, kind="alert").values("kind", "text", "by"))
    case.refresh_from_db()
    return check, audit, alert, events, case.last_check_at


def _record(case, by, **data):
    taken_at = data.pop("taken_at", at(2022, 2, 7, 8))
    return services.record_check(by=by, case=case, data=data, idempotency_key=data.pop("key", ""), taken_at=taken_at,
                                 by_patient=by is None)


@postgres_only
@pytest.mark.parametrize("by_patient", [False, True])
@pytest.mark.parametrize("values", [{"spo2": 98, "respiratory_rate": 18, "temperature": "36.8"},
                                    {"spo2": 94, "respiratory_rate": 22, "symptoms": ["cough", "dyspnoea"], "pulse": 101}])
def test_it_stores_the_same_rows_as_the_orm_path(open_case, personas, monkeypatch, values, by_patient):
    by = None if by_patient else personas["care_a"]
    ip, ua = current_ip.set("203.113.12.7"), current_user_agent.set("Zalo/1.0")
    try:
        fast_case, orm_case = open_case(), open_case(full_name="Trần Thị Bình")
        fast = _record(fast_case, by, key="k-1", **values)
        with monkeypatch.context() as m:
            _orm_path(m)
            orm = _record(orm_case, by, key="k-1", **values)
    finally:
        current_ip.reset(ip)
        current_user_agent.reset(ua)
    f_check, f_audit, f_alert, f_events, f_last = _rows(fast_case)
    o_check, o_audit, o_alert, o_events, o_last = _rows(orm_case)

    def same(a, b, skip):
        da, db = model_to_dict(a), model_to_dict(b)
        return {k: v for k, v in da.items() if k not in skip} == {k: v for k, v in db.items() if k not in skip}

    assert same(f_check, o_check, {"id", "case"}) and f_check.recorded_at and f_check.by_patient == by_patient
    assert f_last == o_last == at(2022, 2, 7, 8)
    assert same(f_audit, o_audit, {"id", "target_id", "target_label", "person_id"})
    assert f_audit.target_label == f"Check object ({f_check.pk})" and f_audit.person_id == fast_case.person_id
    assert f_audit.ip == "203.113.12.7" and f_audit.user_agent == "Zalo/1.0" and f_audit.changes
    # And exactly what audit.services.record() would write for the stored check.
    expected = event(actor=by, action="create", obj=f_check, person_id=fast_case.person_id,
                     actor_label="" if by else "patient-self-report",
                     changes={k: (None, getattr(f_check, k)) for k in f_audit.changes})
    assert abs(f_audit.at - f_check.recorded_at) < dt.timedelta(seconds=1)
    assert same(f_audit, expected, {"id", "at", "ip", "user_agent", "changes"})
    assert f_events == o_events and bool(f_alert) == bool(o_alert) == bool(fast.signs)
    if f_alert:
        assert same(f_alert, o_alert, {"id", "case", "check_record", "raised_at"}) and f_alert.check_record_id == f_check.pk
        assert abs(f_alert.raised_at - f_check.recorded_at) < dt.timedelta(seconds=1) and f_alert.acknowledged_at is None
        assert fast.alert.pk == f_alert.pk and fast.alert.check_record == fast.check
        # In both paths the timeline entry is dated when the alert was raised.
        for case, alert in ((fast_case, f_alert), (orm_case, o_alert)):
            assert CaseEvent.objects.get(case=case, kind="alert").at == alert.raised_at
    assert fast.check.pk == f_check.pk and fast.created and orm.created


@postgres_only
def test_it_writes_a_check_in_one_statement(open_case, personas, django_assert_num_queries):
    case = open_case()
    services.record_check(by=personas["care_a"], case=case, data={"spo2": 98})  # the rule cache warm
    with django_assert_num_queries(1):
        services.record_check(by=personas["care_a"], case=case, data={"spo2": 93}, idempotency_key="one")


@pytest.mark.parametrize("path", ["statement", "orm"])
def test_it_moves_the_last_check_time_only_forward(open_case, personas, monkeypatch, path):
    if path == "orm":
        _orm_path(monkeypatch)
    case = open_case()
    _record(case, personas["care_a"], spo2=98, taken_at=at(2022, 2, 7, 16))
    _record(case, personas["care_a"], spo2=98, taken_at=at(2022, 2, 7, 8))  # entered late: an older check
    case.refresh_from_db()
    assert case.last_check_at == at(2022, 2, 7, 16) and case.version == 1
    _record(case, personas["care_a"], spo2=98, taken_at=at(2022, 2, 8, 8))
    case.refresh_from_db()
    assert case.last_check_at == at(2022, 2, 8, 8) and Check.objects.filter(case=case).count() == 3


@pytest.mark.parametrize("path", ["statement", "orm"])
def test_a_repeated_key_is_stored_once_and_answered_with_the_first_result(open_case, personas, monkeypatch, path):
    if path == "orm":
        _orm_path(monkeypatch)
    case = open_case()
    first = _record(case, personas["care_a"], spo2=93, key="tap-1")
    again = _record(case, personas["care_a"], spo2=93, key="tap-1", taken_at=at(2022, 2, 9, 8))
    assert first.created and not again.created
    assert again.check.pk == first.check.pk and again.alert.pk == first.alert.pk and again.signs == first.signs
    assert Check.objects.count() == 1 and Alert.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="cases.check").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="alert").count() == 1
    case.refresh_from_db()
    assert case.last_check_at == at(2022, 2, 7, 8)  # the repeat moved nothing


@isolate_apps("cases")  # the proxy model below must not stay in the app registry for the tests that walk every model
def test_the_statement_helper_labels_only_models_with_django_default_str():
    assert statements.default_str_sql(Check, "c.id") == "'Check object (' || c.id || ')'"
    assert statements.default_str_sql(AuditEvent, "x") == "'AuditEvent object (' || x || ')'"

    class Named(Check):
        class Meta:
            proxy = True
            app_label = "cases"

        def __str__(self):
            return "named"

    assert statements.default_str_sql(Named, "c.id") is None


def test_api_serializers_are_built_once_per_thread():
    from cases.api import CheckInSerializer, _bound

    mine = _bound(CheckInSerializer)
    assert _bound(CheckInSerializer) is mine
    other = []
    t = threading.Thread(target=lambda: other.append(_bound(CheckInSerializer)))
    t.start()
    t.join()
    assert other[0] is not mine
