"""The audit trail: who did what to which record, when and from where; append-only; searchable by administrators."""
import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEvent
from core.auditing import record_read
from people import services
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

IP = "203.113.12.7"


def test_create_update_view_and_export_are_recorded_with_who_when_and_where(personas, commune_a, api_for, client_for):
    user = personas["commune_a"]
    api = api_for(user)
    created = api.post("/api/people/", {"full_name": "Trần Văn Bình", "birth_year": 1990, "sex": "M", "commune": commune_a.pk},
                       format="json", REMOTE_ADDR=IP)
    pk = created.json()["id"]
    api.patch(f"/api/people/{pk}/", {"occupation": "Giáo viên", "version": 1}, format="json", REMOTE_ADDR=IP)
    client_for(user).get(f"/people/{pk}/", REMOTE_ADDR=IP)
    exported = api.get("/api/people/export/", REMOTE_ADDR=IP)
    assert exported.status_code == 200 and "Trần Văn Bình" in exported.content.decode("utf-8-sig")
    events = {e.action: e for e in AuditEvent.objects.filter(actor=user)}
    assert {"create", "update", "view", "export"} <= set(events)
    for action in ("create", "update", "view"):
        assert events[action].person_id == pk and events[action].ip == IP and events[action].at is not None
    assert events["update"].changes == {"occupation": ["", "Giáo viên"]}
    assert events["export"].records == [pk] and events["export"].ip == IP


def test_an_api_read_of_one_record_is_recorded(personas, commune_a, api_for):
    p = make_person(commune_a)
    api_for(personas["commune_a"]).get(f"/api/people/{p.pk}/")
    assert AuditEvent.objects.filter(action="view", person_id=p.pk, actor=personas["commune_a"]).count() == 1


def test_an_export_records_only_the_records_the_user_may_see(personas, commune_a, commune_b, api_for):
    mine = make_person(commune_a, full_name="Người Xã A")
    make_person(commune_b, full_name="Người Xã B")
    body = api_for(personas["commune_a"]).get("/api/people/export/").content.decode("utf-8-sig")
    assert "Người Xã A" in body and "Người Xã B" not in body
    assert AuditEvent.objects.get(action="export").records == [mine.pk]


def test_login_failed_login_and_logout_are_recorded(personas, client):
    client.post("/accounts/dang-nhap/", {"username": "tram_a", "password": "sai-mat-khau"}, REMOTE_ADDR=IP)
    client.post("/accounts/dang-nhap/", {"username": "tram_a", "password": "Mat-khau-2022"}, REMOTE_ADDR=IP)
    client.post("/accounts/dang-xuat/", REMOTE_ADDR=IP)
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label", "ip"))
    assert events == [("login_failed", "tram_a", IP), ("login", "tram_a", IP), ("logout", "tram_a", IP)]


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(personas, commune_a):
    p = services.create_person(by=personas["commune_a"], data={"full_name": "A Blông", "birth_year": 1990, "sex": "M", "commune": commune_a})
    event = AuditEvent.objects.get(person_id=p.pk)
    event.note = "sửa lén"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET note = 'x'", "DELETE FROM audit_auditevent"])
def test_the_database_itself_refuses_to_change_audit_rows(personas, commune_a, statement):
    services.create_person(by=personas["commune_a"], data={"full_name": "A Blông", "birth_year": 1990, "sex": "M", "commune": commune_a})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)
    assert AuditEvent.objects.filter(note="").count() == 1


def test_bulk_queryset_changes_are_refused_by_the_database(personas, commune_a):
    services.create_person(by=personas["commune_a"], data={"full_name": "A Blông", "birth_year": 1990, "sex": "M", "commune": commune_a})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().update(note="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_administrators_search_the_trail(personas, commune_a, client_for):
    p = make_person(commune_a, full_name="Nguyễn Văn An")
    q = make_person(commune_a, full_name="Trần Thị Bình")
    record_read(by=personas["commune_a"], obj=p)
    record_read(by=personas["care_a"], obj=q)
    admin = client_for(personas["admin"])
    page = admin.get("/audit/", {"person": p.pk}).content.decode()
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" not in page
    page = admin.get("/audit/", {"actor": "to_cham_soc"}).content.decode()
    assert "Trần Thị Bình" in page and "Nguyễn Văn An" not in page
    page = admin.get("/audit/", {"action": "view", "target": "binh"}).content.decode()
    assert admin.get("/audit/", {"since": "01/01/2000"}).status_code == 200
    assert admin.get("/audit/", {"since": "không phải ngày", "person": "abc"}).status_code == 200


@pytest.mark.parametrize("who", ["commune_a", "leader", "health_dept", "district_a", "agency"])
def test_non_administrators_get_403_on_the_trail(personas, client_for, who):
    assert client_for(personas[who]).get("/audit/").status_code == 403


def test_an_administrator_without_a_second_factor_cannot_read_the_trail(personas, client):
    client.force_login(personas["admin"])
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/xac-thuc-hai-lop/" in response["Location"]


def test_the_trail_of_a_merged_duplicate_is_found_under_the_record_kept(personas, commune_a, client_for):
    by = personas["commune_a"]
    keep = make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1970)
    dup = make_person(commune_a, full_name="Le Thi Hoa", birth_year=1970, occupation="Nông dân")
    services.update_person(by=by, person=dup, data={"occupation": "Giáo viên"}, expected_version=1)
    services.merge_people(by=by, keep=keep, duplicate=dup)
    page = client_for(personas["admin"]).get("/audit/", {"person": keep.pk}).content.decode()
    assert "Giáo viên" in page  # the duplicate's edit, made before the merge
    assert f"#{dup.pk} → #{keep.pk}" in page


def test_event_is_the_row_record_writes_unsaved(personas, commune_a):
    """audit.services.event: for a service that inserts the audit row within a larger SQL statement."""
    from django.forms.models import model_to_dict

    from audit.services import event, record
    from core.context import current_ip

    p = make_person(commune_a)
    token = current_ip.set(IP)
    try:
        kw = dict(actor=personas["commune_a"], action="update", obj=p, changes={"occupation": ("", "Giáo viên")}, note="n")
        unsaved = event(**kw)
        saved = record(**kw)
    finally:
        current_ip.reset(token)
    assert unsaved.pk is None and unsaved.at is None
    assert AuditEvent.objects.filter(pk=saved.pk).count() == 1
    assert {k: v for k, v in model_to_dict(unsaved).items() if k != "id"} == {k: v for k, v in model_to_dict(saved).items() if k != "id"}
    assert unsaved.person_id == p.pk and unsaved.ip == IP and unsaved.changes == {"occupation": ["", "Giáo viên"]}


def test_reading_a_record_over_the_api_is_recorded_with_its_person(personas, commune_a, api_for):
    """core.api.AuditedRetrieveMixin, shared by the case, contact and test viewsets."""
    import datetime as dt

    from testing import services as testing_services

    person = make_person(commune_a)
    test = testing_services.record_test(by=personas["lab"], person=person, kind="rt_pcr", sample_code="AU-1",
                                        taken_on=dt.date(2022, 2, 10))
    assert api_for(personas["commune_a"]).get(f"/api/tests/{test.pk}/").status_code == 200
    seen = AuditEvent.objects.get(action="view", target_type="testing.test", target_id=str(test.pk))
    assert seen.actor == personas["commune_a"] and seen.person_id == person.pk
    assert api_for(personas["commune_b"]).get(f"/api/tests/{test.pk}/").status_code == 404  # not seen: not recorded
    assert AuditEvent.objects.filter(action="view", target_type="testing.test").count() == 1
