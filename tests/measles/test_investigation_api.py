"""The investigation page's two writes over the API: answers of the disease's investigation form (typed, unknown
questions refused) and the classification under the case definition; version checked, audited, scoped."""
import datetime as dt

from audit.models import AuditEvent
from cases import services
from cases.models import Case
from tests.conftest import make_person

RASH = ["fever", "maculopapular_rash", "coryza"]


def _suspected(personas, commune_a):
    return services.open_case(by=personas["commune_a"], person=make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019),
                              disease="measles", classification="suspected", test_kind="", confirmed_on=dt.date(2025, 3, 3),
                              clinical_signs=RASH)


def test_answers_and_classification_over_the_api(personas, api_for, commune_a):
    case = _suspected(personas, commune_a)
    api = api_for(personas["commune_a"])
    r = api.post(f"/api/cases/{case.pk}/investigation/", {"version": case.version, "answers": {
        "rash_onset": "2025-03-01", "doses_before_onset": 0, "travel_21_days": True}}, format="json")
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.investigation == {**case.investigation, "rash_onset": "2025-03-01", "doses_before_onset": 0, "travel_21_days": True}
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk), action="update", note="investigation").exists()
    stale = api.post(f"/api/cases/{case.pk}/investigation/", {"version": case.version - 1, "answers": {"doses_before_onset": 1}},
                     format="json")
    assert stale.status_code == 409
    bad = api.post(f"/api/cases/{case.pk}/investigation/", {"version": case.version, "answers": {"doses_before_onset": "hai"}},
                   format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "answers.doses_before_onset"
    assert "whole number" in bad.json()["message_en"] and "số nguyên" in bad.json()["message_vi"]
    unknown = api.post(f"/api/cases/{case.pk}/investigation/", {"version": case.version, "answers": {"nope": 1}}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "answers"

    refused = api.post(f"/api/cases/{case.pk}/classify/", {"version": case.version, "classification": "confirmed"}, format="json")
    assert refused.status_code == 400 and refused.json()["message_vi"] and refused.json()["message_en"]
    r = api.post(f"/api/cases/{case.pk}/classify/", {"version": case.version, "classification": "confirmed", "test_kind": "igm",
                                                     "clinical_signs": RASH}, format="json")
    assert r.status_code == 200, r.content
    case = Case.objects.get(pk=case.pk)
    assert (case.classification, case.test_kind) == ("confirmed", "igm")
    assert api_for(personas["commune_b"]).post(f"/api/cases/{case.pk}/classify/", {}, format="json").status_code == 404
    assert api_for(personas["leader"]).post(f"/api/cases/{case.pk}/investigation/", {}, format="json").status_code == 403
