"""POST and PATCH /api/cases/: the case form's rules over the API, with the home-care eligibility answer, scoping,
audit rows, 409 on a stale version and the API's one error shape."""
import datetime as dt

from audit.models import AuditEvent
from cases.models import Case
from tests.conftest import make_person


def test_create_answers_the_case_and_its_home_care_eligibility_and_audits(personas, api_for, commune_a):
    p = make_person(commune_a, full_name="Trần Thị Bình", birth_year=1950, phone="0905123456")
    r = api_for(personas["commune_a"]).post("/api/cases/", {
        "person": p.pk, "confirmed_on": "2022-02-05", "test_kind": "rt_pcr", "care_setting": "home",
        "has_comorbidity": True, "comorbidity_stable": False}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    case = Case.objects.get(person=p)
    assert body["case"]["id"] == case.pk and body["case"]["commune"] == commune_a.pk
    assert body["home_care"]["eligible"] is False
    assert all(x["message_vi"] and x["message_en"] for x in body["home_care"]["reasons"])
    assert "05/02/2022" in body["home_care"]["why_vi"]
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk), action="create").exists()


def test_create_refuses_a_person_outside_the_jurisdiction_without_naming_him(personas, api_for, commune_b):
    other = make_person(commune_b, full_name="Lê Văn Cường")
    r = api_for(personas["commune_a"]).post("/api/cases/", {"person": other.pk, "confirmed_on": "2022-02-05",
                                                            "test_kind": "rt_pcr"}, format="json")
    assert r.status_code == 400 and not Case.objects.exists()
    body = r.json()
    assert [e["field"] for e in body["errors"]] == ["person"] and "Cường" not in r.content.decode()
    assert api_for(personas["agency"]).post("/api/cases/", {}, format="json").status_code == 403


def test_create_refuses_bad_input_in_both_languages(personas, api_for, commune_a):
    p = make_person(commune_a)
    r = api_for(personas["commune_a"]).post("/api/cases/", {"person": p.pk, "confirmed_on": "2099-01-01",
                                                            "test_kind": "??"}, format="json")
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"test_kind"}
    r = api_for(personas["commune_a"]).post("/api/cases/", {"person": p.pk, "confirmed_on": "2099-01-01",
                                                            "test_kind": "rt_pcr"}, format="json")
    assert r.status_code == 400 and "tương lai" in r.json()["message_vi"] and "future" in r.json()["message_en"]
    assert r.json()["errors"][0]["field"] == "confirmed_on"


def test_update_edits_audits_and_answers_409_on_a_stale_version(personas, api_for, open_case):
    case = open_case()
    api = api_for(personas["commune_a"])
    r = api.patch(f"/api/cases/{case.pk}/", {"version": case.version, "severity": "moderate"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["case"]["severity"] == "moderate" and r.json()["home_care"]["eligible"] is False
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk), action="update").exists()
    stale = api.patch(f"/api/cases/{case.pk}/", {"version": case.version, "severity": "mild"}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == case.version + 1
    missing = api.patch(f"/api/cases/{case.pk}/", {"severity": "mild"}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "version"


def test_update_is_scoped(personas, api_for, open_case):
    case = open_case()
    r = api_for(personas["commune_b"]).patch(f"/api/cases/{case.pk}/", {"version": case.version, "severity": "moderate"},
                                             format="json")
    assert r.status_code == 404 and r.json()["message_en"]
    case.refresh_from_db()
    assert case.severity == "mild"


def test_a_2022_case_of_a_rehomed_person_lands_on_his_former_commune(personas, api_for, commune_a):
    from geo.models import UnitCorrespondence

    p = make_person(commune_a)
    p.former_commune, p.commune = commune_a, UnitCorrespondence.objects.filter(old_unit=commune_a).first().new_unit
    p.save()
    r = api_for(personas["admin"]).post("/api/cases/", {"person": p.pk, "confirmed_on": "2022-02-05",
                                                              "test_kind": "rt_pcr"}, format="json")
    # The person's case of 2022 lands on his former commune, the one of its time.
    assert r.status_code == 201 and r.json()["case"]["commune"] == commune_a.pk
    assert dt.date.fromisoformat(r.json()["case"]["confirmed_on"]) == dt.date(2022, 2, 5)
