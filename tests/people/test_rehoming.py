"""Re-homing people from the pre-2025 communes to the 2025 ones: one-to-one, split by village, split by address,
unresolved, undo, idempotent, the care records that follow, and the review list's scoping and decisions."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from core.errors import Invalid
from geo.models import AdministrativeUnit, UnitCorrespondence, Village
from people import rehoming
from people.models import Person, RehomingMove, RehomingRun
from tests.conftest import make_person, make_user

State = RehomingMove.State


@pytest.fixture
def split(kontum, commune_a):
    """commune_a (Phường Quang Trung, merged into Phường Kon Tum) made a split commune: part of it went to Xã Ba Tơ.
    Ba Tơ has a village of the same name as one of commune_a's; Kon Tum one of another name."""
    kon_tum = AdministrativeUnit.objects.get(path="/n51/n23293/")
    ba_to = AdministrativeUnit.objects.get(structure="2025", level="commune", code="21484")
    UnitCorrespondence.objects.create(old_unit=commune_a, new_unit=ba_to, is_default=False)
    old_v1 = Village.objects.create(commune=commune_a, name="Tổ dân phố 1")
    old_v2 = Village.objects.create(commune=commune_a, name="Thôn Làng Mới")
    old_v3 = Village.objects.create(commune=commune_a, name="Tổ dân phố 9")
    Village.objects.create(commune=ba_to, name="Thôn Làng Mới")
    Village.objects.create(commune=kon_tum, name="Tổ dân phố 1")
    return {"old": commune_a, "kon_tum": kon_tum, "ba_to": ba_to, "v1": old_v1, "v2": old_v2, "v3": old_v3}


@pytest.fixture
def province_user(personas):
    return personas["health_dept"]


def one_to_one_target(commune):
    links = list(UnitCorrespondence.objects.filter(old_unit=commune))
    assert len(links) == 1
    return links[0].new_unit


def run(by) -> RehomingRun:
    r = rehoming.start_run(by=by)  # inline in tests (core.jobs.enqueue), after commit
    rehoming.run_job(run_id=r.pk)
    r.refresh_from_db()
    assert r.status == RehomingRun.Status.DONE, r.error
    return r


def test_one_to_one_moves_the_person_keeps_his_old_commune_and_audits(province_user, commune_b):
    p = make_person(commune_b)
    version = p.version
    r = run(province_user)
    p.refresh_from_db()
    target = one_to_one_target(commune_b)
    assert p.commune == target and p.former_commune == commune_b and p.version == version + 1
    move = RehomingMove.objects.get(run=r, person=p)
    assert (move.method, move.state) == (RehomingMove.Method.ONE_TO_ONE, State.MOVED)
    ev = AuditEvent.objects.get(target_type="people.person", target_id=str(p.pk), action="update")
    assert ev.person_id == p.pk and ev.actor == province_user
    assert ev.changes == {"commune": [commune_b.name, target.name]}
    assert r.counts["one_to_one"] >= 1 and r.counts["moved"] >= 1


def test_the_person_page_shows_the_commune_of_his_time(province_user, commune_b, client_for, personas):
    p = make_person(commune_b)
    run(province_user)
    page = client_for(personas["admin"]).get(f"/people/{p.pk}/").content.decode()
    assert "Xã/phường trước 01/07/2025" in page and commune_b.name in page


def test_split_commune_by_village_by_address_and_unresolved(province_user, split):
    by_village = make_person(split["old"], full_name="Trần Thị Bình", village=split["v2"])
    by_village_other = make_person(split["old"], full_name="Lê Văn Cường", village=split["v1"])
    by_address = make_person(split["old"], full_name="Phạm Văn Dũng", street="Thôn 3, xã Ba Tơ", village=split["v3"])
    unknown = make_person(split["old"], full_name="Hồ Thị Em", village=split["v3"])
    r = run(province_user)
    for p in (by_village, by_village_other, by_address, unknown):
        p.refresh_from_db()
    assert by_village.commune == split["ba_to"] and by_village.former_commune == split["old"]
    assert by_village_other.commune == split["kon_tum"]
    # The address gives a proposal, not a move; no answer at all stays unresolved: never guessed.
    assert by_address.commune == split["old"] and unknown.commune == split["old"]
    moves = {m.person_id: m for m in RehomingMove.objects.filter(run=r)}
    assert (moves[by_address.pk].state, moves[by_address.pk].new_commune) == (State.PROPOSED, split["ba_to"])
    assert (moves[unknown.pk].state, moves[unknown.pk].new_commune) == (State.UNRESOLVED, None)
    assert moves[by_village.pk].method == RehomingMove.Method.VILLAGE
    assert r.counts["address"] == 1 and r.counts["unresolved"] == 1 and r.counts["village"] == 2
    assert not AuditEvent.objects.filter(target_type="people.person", target_id=str(unknown.pk)).exists()


def test_running_twice_moves_nobody_twice(province_user, split, commune_b):
    p = make_person(commune_b)
    pending = make_person(split["old"], full_name="Hồ Thị Em")
    run(province_user)
    p.refresh_from_db()
    first = (p.commune_id, p.former_commune_id, p.version)
    audits = AuditEvent.objects.filter(target_type="people.person").count()
    second = run(province_user)
    p.refresh_from_db()
    assert (p.commune_id, p.former_commune_id, p.version) == first
    assert second.counts["moved"] == 0 and not RehomingMove.objects.filter(run=second).exists()
    assert AuditEvent.objects.filter(target_type="people.person").count() == audits
    assert RehomingMove.objects.filter(person=pending).count() == 1  # still one entry in the review list


def test_undo_puts_everyone_back_audited_and_only_once(province_user, split, commune_b):
    p = make_person(commune_b)
    q = make_person(split["old"], full_name="Trần Thị Bình", village=split["v2"])
    waiting = make_person(split["old"], full_name="Hồ Thị Em")
    r = run(province_user)
    back = rehoming.undo_run(run=r, by=province_user)
    assert back == 2
    for x in (p, q):
        x.refresh_from_db()
        assert x.former_commune is None
    assert p.commune == commune_b and q.commune == split["old"]
    r.refresh_from_db()
    assert r.status == RehomingRun.Status.UNDONE
    assert not RehomingMove.objects.filter(person=waiting, state__in=rehoming.PENDING).exists()
    assert AuditEvent.objects.filter(target_type="people.person", target_id=str(p.pk)).count() == 2
    with pytest.raises(Invalid):
        rehoming.undo_run(run=r, by=province_user)
    # After an undo a new run moves them again.
    run(province_user)
    p.refresh_from_db()
    assert p.former_commune == commune_b


def _person_schema():
    """The person table's index definitions and foreign keys, as the database reports them."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'people_person' ORDER BY indexname")
            indexes = [r[0] for r in cur.fetchall()]
            cur.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = 'people_person'::regclass ORDER BY conname""")
            return indexes, cur.fetchall()
        cur.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'people_person' ORDER BY name")
        return [r[0] for r in cur.fetchall()], []


def test_a_large_run_rebuilds_the_indexes_and_keys_it_drops_and_a_failed_one_leaves_them(province_user, split, commune_b,
                                                                                          monkeypatch):
    """The bulk path (PostgreSQL, a run moving ≥ BULK_MOVES people: indexes and the commune key dropped, re-created
    after the UPDATE) moves, audits and undoes exactly as the row-by-row path, and leaves the schema as it found it;
    a run failing after the drop rolls everything back, indexes included."""
    from django.db import connection

    monkeypatch.setattr(rehoming, "BULK_MOVES", 1)
    schema = _person_schema()
    p = make_person(commune_b)
    q = make_person(split["old"], full_name="Trần Thị Bình", village=split["v2"])
    r = run(province_user)
    for x in (p, q):
        x.refresh_from_db()
    assert p.commune == one_to_one_target(commune_b) and q.commune == split["ba_to"]
    assert r.counts["moved"] == 2 and AuditEvent.objects.filter(target_type="people.person", action="update").count() == 2
    assert _person_schema() == schema
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # the foreign key is back, and enforced
            cur.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'people_person'::regclass AND contype = 'f' "
                        "AND pg_get_constraintdef(oid) LIKE 'FOREIGN KEY (commune_id)%'")
            assert cur.fetchone()[0] == 1
    assert rehoming.undo_run(run=r, by=province_user) == 2
    p.refresh_from_db()
    assert p.commune == commune_b and _person_schema() == schema

    def broken(**kwargs):
        raise RuntimeError("care records failed")

    from people.signals import persons_rehomed

    persons_rehomed.connect(broken, dispatch_uid="test.broken")
    try:
        failed = rehoming.start_run(by=province_user)
        rehoming.run_job(run_id=failed.pk)
    finally:
        persons_rehomed.disconnect(dispatch_uid="test.broken")
    failed.refresh_from_db()
    p.refresh_from_db()
    assert failed.status == RehomingRun.Status.FAILED and p.commune == commune_b and p.former_commune is None
    assert _person_schema() == schema


def test_only_province_wide_users_run_or_undo(personas):
    with pytest.raises(Invalid):
        rehoming.start_run(by=personas["commune_a"])


def test_open_cases_and_the_vaccination_summary_follow_closed_cases_stay(province_user, commune_b, personas):
    from cases.models import Case
    from cases.services import open_case
    from vaccination.models import PersonVaccination

    p = make_person(commune_b, full_name="Ngô Văn Phúc")
    old = make_person(commune_b, full_name="Đỗ Thị Giang")
    open_ = open_case(by=personas["health_dept"], person=p, confirmed_on=dt.date(2022, 3, 1))
    closed = open_case(by=personas["health_dept"], person=old, confirmed_on=dt.date(2022, 2, 1))
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.RECOVERED)
    PersonVaccination.objects.create(person_id=p.pk, commune_id=commune_b.pk, birth_date=dt.date(1980, 7, 1), dose_count=1)
    r = run(province_user)
    target = one_to_one_target(commune_b)
    open_.refresh_from_db()
    closed.refresh_from_db()
    assert open_.commune == target and closed.commune == commune_b
    assert PersonVaccination.objects.get(person_id=p.pk).commune_id == target.pk
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(open_.pk), action="update").exists()
    rehoming.undo_run(run=r, by=province_user)
    open_.refresh_from_db()
    assert open_.commune == commune_b
    assert PersonVaccination.objects.get(person_id=p.pk).commune_id == commune_b.pk


def test_review_list_is_scoped_to_the_users_jurisdiction(province_user, split, commune_b, personas):
    waiting = make_person(split["old"], full_name="Hồ Thị Em")
    make_person(commune_b)
    run(province_user)
    kon_tum_user = make_user("xa_kon_tum", "commune_health", split["kon_tum"])  # 2025 commune that took the old one
    other_2025 = AdministrativeUnit.objects.get(path=f"/n51/n{one_to_one_target(commune_b).code}/")
    other_user = make_user("xa_khac", "commune_health", other_2025)
    assert list(rehoming.review_queryset(kon_tum_user).values_list("person_id", flat=True)) == [waiting.pk]
    assert list(rehoming.review_queryset(personas["commune_a"]).values_list("person_id", flat=True)) == [waiting.pk]
    assert not rehoming.review_queryset(personas["commune_b"]).exists()
    assert not rehoming.review_queryset(other_user).exists()
    assert rehoming.review_queryset(province_user).count() == 1
    # The user of the 2025 commune decides for the people of the old one.
    move = RehomingMove.objects.get(person=waiting)
    assert rehoming.decide(by=kon_tum_user, move_ids=[move.pk], new_commune=split["kon_tum"]) == 1
    assert not rehoming.review_queryset(kon_tum_user).exists()


def test_bulk_decision_moves_the_chosen_people_and_refuses_a_commune_that_is_not_a_successor(province_user, split, commune_b, personas):
    a = make_person(split["old"], full_name="Hồ Thị Em")
    b = make_person(split["old"], full_name="Vũ Văn Hải")
    c = make_person(split["old"], full_name="Phạm Văn Dũng", street="Thôn 3, xã Ba Tơ")
    run(province_user)
    ids = dict(RehomingMove.objects.values_list("person_id", "id"))
    user = personas["commune_a"]
    with pytest.raises(Invalid) as exc:
        rehoming.decide(by=user, move_ids=[ids[a.pk]], new_commune=one_to_one_target(commune_b))
    assert "không phải xã/phường mới" in exc.value.vi
    with pytest.raises(Invalid):  # someone else's move: not in the user's list
        rehoming.decide(by=personas["commune_b"], move_ids=[ids[a.pk]], new_commune=split["ba_to"])
    with pytest.raises(Invalid):  # an unresolved one has no proposal to accept
        rehoming.decide(by=user, move_ids=[ids[a.pk], ids[c.pk]], accept_proposal=True)
    assert rehoming.decide(by=user, move_ids=[ids[a.pk], ids[b.pk]], new_commune=split["ba_to"]) == 2
    assert rehoming.decide(by=user, move_ids=[ids[c.pk]], accept_proposal=True) == 1
    for p in (a, b, c):
        p.refresh_from_db()
        assert p.commune == split["ba_to"] and p.former_commune == split["old"]
    assert RehomingMove.objects.get(pk=ids[a.pk]).method == RehomingMove.Method.REVIEWED
    assert AuditEvent.objects.filter(target_type="people.person", target_id=str(a.pk), actor=user).exists()
    assert not rehoming.review_queryset(user).exists()


def test_people_edited_since_the_proposal_are_left_alone(province_user, split):
    p = make_person(split["old"], full_name="Hồ Thị Em")
    run(province_user)
    move = RehomingMove.objects.get(person=p)
    Person.objects.filter(pk=p.pk).update(commune=split["kon_tum"])  # moved by hand in the meantime
    assert rehoming.decide(by=province_user, move_ids=[move.pk], new_commune=split["ba_to"]) == 0
    p.refresh_from_db()
    assert p.commune == split["kon_tum"]


def test_review_page_lists_filters_and_moves_in_bulk(province_user, split, personas, client_for, django_assert_max_num_queries):
    people = [make_person(split["old"], full_name=f"Người Số {i}", date_of_birth=dt.date(1990, 1, 2 + i)) for i in range(3)]
    make_person(split["old"], full_name="Phạm Văn Dũng", street="Thôn 3, xã Ba Tơ")
    run(province_user)
    c = client_for(personas["commune_a"])
    with django_assert_max_num_queries(20):
        page = c.get("/people/chuyen-dia-ban/xem-xet/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Người Số 0" in html and "02/01/1990" in html and "Xã Ba Tơ" in html and "Phường Kon Tum" in html
    assert "unresolved" not in html.replace('value="unresolved"', "")  # no raw codes shown
    only_proposed = c.get("/people/chuyen-dia-ban/xem-xet/", {"state": "proposed"}).content.decode()
    assert "Phạm Văn Dũng" in only_proposed and "Người Số 0" not in only_proposed
    ids = list(RehomingMove.objects.filter(person__in=people[:2]).values_list("pk", flat=True))
    resp = c.post("/people/chuyen-dia-ban/xem-xet/", {"move": ids, "new_commune": split["kon_tum"].pk, "action": "choose"})
    assert resp.status_code == 302
    assert set(Person.objects.filter(pk__in=[p.pk for p in people[:2]]).values_list("commune_id", flat=True)) == {split["kon_tum"].pk}
    # English screen: the refusal in English.
    c.cookies["django_language"] = "en"
    move = RehomingMove.objects.get(person=people[2])
    resp = c.post("/people/chuyen-dia-ban/xem-xet/", {"move": [move.pk], "new_commune": one_to_one_target(personas["commune_b"].unit).pk,
                                                       "action": "choose"}, follow=True)
    assert "is not a new commune of" in resp.content.decode()
    assert client_for(personas["commune_b"]).get("/people/chuyen-dia-ban/xem-xet/").content.decode().count('name="move"') == 0


def test_runs_page_is_for_province_wide_users_and_runs_and_undoes(province_user, personas, client_for, commune_b):
    p = make_person(commune_b)
    assert client_for(personas["commune_a"]).get("/people/chuyen-dia-ban/").status_code == 403
    c = client_for(province_user)
    assert c.post("/people/chuyen-dia-ban/").status_code == 302
    r = RehomingRun.objects.get()
    if r.status == RehomingRun.Status.QUEUED:  # the test client's request ran in a transaction: run the job here
        rehoming.run_job(run_id=r.pk)
    page = c.get("/people/chuyen-dia-ban/").content.decode()
    assert "Hoàn tất" in page
    assert c.post(f"/people/chuyen-dia-ban/{r.pk}/hoan-tac/").status_code == 302
    p.refresh_from_db()
    assert p.commune == commune_b and p.former_commune is None


def test_runs_undo_and_review_decisions_over_the_api(province_user, split, personas, api_for, commune_b):
    """The same writes as the runs and review pages (issue #14 §3), with the same rights."""
    waiting = make_person(split["old"], full_name="Hồ Thị Em")
    moved = make_person(commune_b, full_name="Vũ Văn Hải")
    assert api_for(personas["commune_a"]).post("/api/rehoming/runs/", {}, format="json").status_code == 403
    api = api_for(province_user)
    r = api.post("/api/rehoming/runs/", {}, format="json")
    assert r.status_code == 202, r.content
    run_id = r.json()["id"]
    if RehomingRun.objects.get(pk=run_id).status == RehomingRun.Status.QUEUED:  # the request's transaction held the job
        rehoming.run_job(run_id=run_id)
    busy = api.post("/api/rehoming/runs/", {}, format="json")
    assert busy.status_code in (202, 400)  # a finished run lets a new one start; a running one refuses it
    if busy.status_code == 202:
        RehomingRun.objects.filter(pk=busy.json()["id"]).delete()

    # Review: the commune user decides for the people of the old commune; others do not see them.
    move = RehomingMove.objects.get(person=waiting)
    user = personas["commune_a"]
    assert api_for(user).get("/api/rehoming/moves/").json()["count"] == 1
    assert api_for(personas["commune_b"]).get("/api/rehoming/moves/").json()["count"] == 0
    nobody = api_for(personas["commune_b"]).post("/api/rehoming/moves/decide/", {"moves": [move.pk], "new_commune": split["kon_tum"].pk},
                                                 format="json")
    assert nobody.status_code == 400 and nobody.json()["message_vi"] and nobody.json()["message_en"]
    wrong = api_for(user).post("/api/rehoming/moves/decide/", {"moves": [move.pk], "new_commune": one_to_one_target(commune_b).pk},
                               format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "new_commune"
    r = api_for(user).post("/api/rehoming/moves/decide/", {"moves": [move.pk], "new_commune": split["kon_tum"].pk}, format="json")
    assert r.status_code == 200 and r.json() == {"moved": 1}
    waiting.refresh_from_db()
    assert waiting.commune == split["kon_tum"]

    assert api_for(personas["commune_a"]).post(f"/api/rehoming/runs/{run_id}/undo/", {}, format="json").status_code == 403
    since = AuditEvent.objects.order_by("-id").first().pk
    r = api.post(f"/api/rehoming/runs/{run_id}/undo/", {}, format="json")
    assert r.status_code == 200 and r.json()["run"]["status"] == RehomingRun.Status.UNDONE and r.json()["people_back"] >= 1
    moved.refresh_from_db()
    assert moved.commune == commune_b and AuditEvent.objects.filter(id__gt=since).exists()
    twice = api.post(f"/api/rehoming/runs/{run_id}/undo/", {}, format="json")
    assert twice.status_code == 400 and "undone" in twice.json()["message_en"]
