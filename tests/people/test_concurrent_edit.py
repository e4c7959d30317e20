"""Two people edit the same record: the second save is refused and shown what changed; nothing is overwritten."""
import pytest

from audit.models import AuditEvent
from core.concurrency import EditConflict
from people import services
from people.models import Person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def edit_form(person, **changes):
    data = {"full_name": person.full_name, "birth_year": person.birth_year, "sex": person.sex, "id_kind": person.id_kind,
            "id_number": person.id_number, "phone": person.phone, "commune": person.commune_id, "ethnicity": person.ethnicity,
            "occupation": person.occupation, "version": person.version}
    data.update(changes)
    return data


def test_the_service_refuses_a_stale_version_and_says_what_changed(personas, commune_a):
    p = make_person(commune_a, occupation="Nông dân")
    first, second = Person.objects.get(pk=p.pk), Person.objects.get(pk=p.pk)
    services.update_person(by=personas["commune_a"], person=first, data={"occupation": "Giáo viên"}, expected_version=1)
    with pytest.raises(EditConflict) as exc:
        services.update_person(by=personas["care_a"], person=second, data={"occupation": "Công nhân"}, expected_version=1)
    assert [(c.field, c.current, c.submitted) for c in exc.value.changes] == [("occupation", "Giáo viên", "Công nhân")]
    p.refresh_from_db()
    assert (p.occupation, p.version) == ("Giáo viên", 2)
    assert AuditEvent.objects.filter(action="update", person_id=p.pk).count() == 1


def test_the_second_browser_save_is_refused_with_the_differences(personas, commune_a, client_for):
    p = make_person(commune_a, occupation="Nông dân", ethnicity="01")
    alice, bob = client_for(personas["commune_a"]), client_for(personas["district_a"])
    # Both open the edit form at version 1.
    assert 'name="version" value="1"' in alice.get(f"/people/{p.pk}/sua/").content.decode()
    assert 'name="version" value="1"' in bob.get(f"/people/{p.pk}/sua/").content.decode()
    assert alice.post(f"/people/{p.pk}/sua/", edit_form(p, occupation="Giáo viên")).status_code == 302
    response = bob.post(f"/people/{p.pk}/sua/", edit_form(p, occupation="Công nhân"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in page
    assert "Giáo viên" in page and "Công nhân" in page
    p.refresh_from_db()
    assert p.occupation == "Giáo viên"
    # Bob read the differences; his form now carries version 2, so saving again is a deliberate choice.
    assert 'name="version" value="2"' in page
    assert bob.post(f"/people/{p.pk}/sua/", edit_form(p, occupation="Công nhân", version=2)).status_code == 302
    p.refresh_from_db()
    assert (p.occupation, p.version) == ("Công nhân", 3)


def test_the_api_answers_409_with_what_changed(personas, commune_a, api_for):
    p = make_person(commune_a, occupation="Nông dân")
    alice, bob = api_for(personas["commune_a"]), api_for(personas["district_a"])
    v_alice = alice.get(f"/api/people/{p.pk}/").json()["version"]
    v_bob = bob.get(f"/api/people/{p.pk}/").json()["version"]
    assert v_alice == v_bob == 1
    ok = alice.patch(f"/api/people/{p.pk}/", {"occupation": "Giáo viên", "version": v_alice}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    refused = bob.patch(f"/api/people/{p.pk}/", {"occupation": "Công nhân", "version": v_bob}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "edit_conflict" and body["current_version"] == 2
    assert body["changes"] == [{"field": "occupation", "current": "Giáo viên", "submitted": "Công nhân"}]
    p.refresh_from_db()
    assert p.occupation == "Giáo viên"


def test_the_api_requires_the_version_on_update(personas, commune_a, api_for):
    p = make_person(commune_a)
    response = api_for(personas["commune_a"]).patch(f"/api/people/{p.pk}/", {"occupation": "Giáo viên"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_leadership_reads_but_cannot_edit(personas, commune_a, api_for, client_for):
    p = make_person(commune_a)
    api = api_for(personas["leader"])
    assert api.get(f"/api/people/{p.pk}/").status_code == 200
    assert api.patch(f"/api/people/{p.pk}/", {"occupation": "X", "version": 1}, format="json").status_code == 403
    assert client_for(personas["leader"]).get(f"/people/{p.pk}/sua/").status_code == 403


def test_it_moves_updated_at_so_a_sync_client_asking_updated_since_sees_the_edit(personas, commune_a, api_for):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    with time_machine.travel(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)):
        p = make_person(commune_a, occupation="Nông dân")
    since = timezone.now() - dt.timedelta(seconds=1)
    services.update_person(by=personas["commune_a"], person=Person.objects.get(pk=p.pk),
                           data={"occupation": "Giáo viên"}, expected_version=1)
    p.refresh_from_db()
    assert p.updated_at >= since
    api = api_for(personas["commune_a"])
    found = api.get("/api/people/", {"updated_since": since.isoformat()}).json()
    assert [row["id"] for row in found["results"]] == [p.pk]
