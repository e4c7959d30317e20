"""Door-to-door outcomes and the FHIR Patient/Immunization export over the API (token): scoping, audit, error shape."""
import datetime as dt

from audit.models import AuditEvent
from tests.conftest import make_person
from vaccination.models import Visit


def test_a_visit_outcome_is_recorded_audited_and_scoped(personas, api_for, commune_a, commune_b):
    p = make_person(commune_a, full_name="Trần Thị Bình")
    api = api_for(personas["vaccinator_a"])
    r = api.post("/api/vaccination/visits/", {"person": p.pk, "outcome": "refused", "reason": "Sợ tác dụng phụ",
                                              "visited_on": "2022-02-03"}, format="json")
    assert r.status_code == 201, r.content
    visit = Visit.objects.get(person=p)
    assert visit.visited_on == dt.date(2022, 2, 3) and visit.commune == commune_a
    assert AuditEvent.objects.filter(target_type="vaccination.visit", target_id=str(visit.pk), action="create").exists()
    no_reason = api.post("/api/vaccination/visits/", {"person": p.pk, "outcome": "refused"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["message_en"] and no_reason.json()["message_vi"]
    other = make_person(commune_b, full_name="Lê Văn Cường")
    far = api.post("/api/vaccination/visits/", {"person": other.pk, "outcome": "absent"}, format="json")
    assert far.status_code == 400 and far.json()["errors"][0]["field"] == "person" and "Cường" not in far.content.decode()
    assert [v["id"] for v in api.get("/api/vaccination/visits/").json()["results"]] == [visit.pk]


def test_the_fhir_bundle_is_served_to_a_token_and_audited(personas, api_for, commune_a, commune_b):
    p = make_person(commune_a, full_name="Trần Thị Bình", id_kind="cccd", id_number="062190001234")
    r = api_for(personas["commune_a"]).get(f"/api/fhir/Patient/{p.pk}/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["resourceType"] == "Bundle" and body["entry"][0]["resource"]["resourceType"] == "Patient"
    assert AuditEvent.objects.filter(action="export", target_type="people.person", target_id=str(p.pk)).exists()
    assert api_for(personas["commune_b"]).get(f"/api/fhir/Patient/{p.pk}/").status_code == 404
    assert api_for(personas["agency"]).get(f"/api/fhir/Patient/{p.pk}/").status_code == 403
