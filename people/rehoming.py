"""Re-homing: people of the pre-2025 communes put on the 2025 commune that now governs their place.

For every current person on a pre-2025 commune (and, through the `persons_rehomed` signal, the care records that
follow him: open cases, the vaccination summary that campaign targets count), a run proposes the 2025 commune:

1. the old commune became part of exactly one 2025 commune (geo.UnitCorrespondence): that one ("one_to_one");
2. the old commune was split: the person's village, when a village of the same (folded) name lies in exactly one of
   the successor communes ("village");
3. still split: his address text (street and village, read by the `vietnamadminunits` parser in the 2025 structure)
   names one of the successor communes: proposed, left for a user to confirm ("address");
4. otherwise: unresolved, listed for review; never guessed (not even the successor that took the old name).

Moves 1–2 are applied by the run, set-based (a handful of INSERT … SELECT / UPDATE … FROM statements whatever the
number of people) with one audit row per person moved (audit.services.insert_from_select). On PostgreSQL a run that
moves many people rebuilds the person table's indexes and its commune foreign key instead of maintaining them row by
row (`_rebuilt_person_indexes`, the manual's advice for bulk changes); the table is locked for the run's duration. 3–4 wait in the review list
(people:rehoming_review) of the commune or regional users whose jurisdiction covers the old commune.

A moved person keeps `former_commune`, the commune of his time; the records of his past stay on their units.
Idempotent: a person already on a 2025 commune is not a candidate, nor one already waiting for review. Reversible:
`undo_run` puts back every person of a run still where the run put him, audited the same way.
"""
import logging
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from audit.services import insert_from_select
from core.dataversion import bump
from core.errors import Invalid
from geo.models import AdministrativeUnit, Structure, UnitCorrespondence, Village

from .models import Person, RehomingMove, RehomingRun, province_wide
from .signals import persons_rehomed

log = logging.getLogger(__name__)
Method, State = RehomingMove.Method, RehomingMove.State
PENDING = (State.PROPOSED, State.UNRESOLVED)

PERSON = Person._meta.db_table
MOVE = RehomingMove._meta.db_table
UNIT = AdministrativeUnit._meta.db_table
CORR = UnitCorrespondence._meta.db_table
VILLAGE = Village._meta.db_table


# -- starting -----------------------------------------------------------------------------------------------------
def start_run(*, by) -> RehomingRun:
    """Record a run and hand it to the background worker (inline in tests). One run at a time."""
    from core.jobs import enqueue

    if not province_wide(by):
        raise Invalid("Chỉ người dùng cấp tỉnh mới chạy được việc chuyển địa bàn.",
                      "Only province-wide users can run the re-homing.")
    with transaction.atomic():
        if RehomingRun.objects.select_for_update().filter(status__in=[RehomingRun.Status.QUEUED, RehomingRun.Status.RUNNING]).exists():
            raise Invalid("Đang có một lượt chuyển địa bàn chạy; hãy chờ lượt đó xong.",
                          "A re-homing run is already under way; wait until it ends.")
        run = RehomingRun.objects.create(created_by=by if getattr(by, "pk", None) else None)
    transaction.on_commit(lambda: enqueue("people.rehoming.run_job", run_id=run.pk))
    return run


def run_job(*, run_id: int) -> None:
    """The background job: claim the queued run, re-home, record counts (a failure leaves nothing half done)."""
    from core.batches import start_heartbeat

    claimed = RehomingRun.objects.filter(pk=run_id, status=RehomingRun.Status.QUEUED).update(
        status=RehomingRun.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now())
    if not claimed:
        return
    run = RehomingRun.objects.get(pk=run_id)
    beat = start_heartbeat(RehomingRun, run_id, dict)
    try:
        counts = rehome(run)
    except Exception as exc:  # recorded on the run for its page; the transaction rolled everything back
        log.exception("re-homing run %s failed", run_id)
        RehomingRun.objects.filter(pk=run_id).update(status=RehomingRun.Status.FAILED, finished_at=timezone.now(),
                                                     error=str(exc)[:2000])
        return
    finally:
        if beat is not None:
            beat.stopped.set()
    RehomingRun.objects.filter(pk=run_id).update(status=RehomingRun.Status.DONE, finished_at=timezone.now(), counts=counts)


# -- the run --------------------------------------------------------------------------------------------------------
def _execute(sql: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _not_pending(alias: str = "p") -> str:
    # NOT IN, evaluated once into a hash: a correlated NOT EXISTS on the table the INSERT fills made PostgreSQL rescan
    # every row inserted so far for each new one (quadratic: 580,000 people did not finish in 10 minutes).
    return (f"{alias}.id NOT IN (SELECT w.person_id FROM {MOVE} w "
            f"WHERE w.state IN ('{State.PROPOSED}', '{State.UNRESOLVED}'))")


@transaction.atomic
def rehome(run: RehomingRun) -> dict:
    """Propose and apply the moves of every candidate person (see the module's docstring); returns the counts."""
    started = time.monotonic()
    timings: dict = {}
    if connection.vendor == "postgresql":
        # Hash joins and the sorts of the index rebuilds in memory (reverts at the end of the transaction).
        _execute("SET LOCAL work_mem = '128MB'")
    one = _execute(
        f"""INSERT INTO {MOVE} (run_id, person_id, old_commune_id, new_commune_id, method, state)
        SELECT %s, p.id, p.commune_id, c.new_id, '{Method.ONE_TO_ONE}', '{State.MOVED}'
        FROM {PERSON} p JOIN (SELECT old_unit_id, MIN(new_unit_id) AS new_id FROM {CORR}
                              GROUP BY old_unit_id HAVING COUNT(*) = 1) c ON c.old_unit_id = p.commune_id
        WHERE p.merged_into_id IS NULL AND {_not_pending()}""", [run.pk])
    timings["seconds_one_to_one"] = round(time.monotonic() - started, 1)
    split = f"(SELECT old_unit_id FROM {CORR} GROUP BY old_unit_id HAVING COUNT(*) > 1)"
    village = _execute(
        f"""INSERT INTO {MOVE} (run_id, person_id, old_commune_id, new_commune_id, method, state)
        SELECT %s, p.id, p.commune_id, vm.new_id, '{Method.VILLAGE}', '{State.MOVED}'
        FROM {PERSON} p JOIN (
            SELECT ov.id AS village_id, ov.commune_id AS old_id, MIN(nv.commune_id) AS new_id
            FROM {VILLAGE} ov JOIN {CORR} c ON c.old_unit_id = ov.commune_id
                 JOIN {VILLAGE} nv ON nv.commune_id = c.new_unit_id AND nv.name_folded = ov.name_folded
            WHERE ov.commune_id IN {split}
            GROUP BY ov.id, ov.commune_id HAVING COUNT(DISTINCT nv.commune_id) = 1
        ) vm ON vm.village_id = p.village_id AND vm.old_id = p.commune_id
        WHERE p.merged_into_id IS NULL AND {_not_pending()}""", [run.pk])
    t = time.monotonic()
    proposed, unresolved = _propose_the_rest(run)
    proposed_at = time.monotonic()
    timings["seconds_address"] = round(proposed_at - t, 1)
    moved = apply_moves(run=run, by=run.created_by, timings=timings, expected=one + village)
    if connection.vendor == "postgresql":
        t = time.monotonic()
        _execute(f"ANALYZE {PERSON}")
        timings["seconds_analyze"] = round(time.monotonic() - t, 1)
    return {"one_to_one": one, "village": village, "address": proposed, "unresolved": unresolved, "moved": moved,
            "seconds_proposing": round(proposed_at - started, 1), **timings,
            "seconds": round(time.monotonic() - started, 1)}


def _propose_the_rest(run: RehomingRun) -> tuple[int, int]:
    """People still on a pre-2025 commune after steps 1–2 (split communes, or no successor at all): a proposal from
    the address text when it names one successor, else unresolved. Only split communes come here: a few thousand
    people at most, read in one query, each distinct address parsed once."""
    rows = list(
        Person.objects.filter(commune__structure=Structure.PRE_2025, merged_into__isnull=True)
        .exclude(rehoming_moves__run=run).exclude(rehoming_moves__state__in=PENDING)
        .values_list("id", "commune_id", "street", "village__name")
    )
    if not rows:
        return 0, 0
    successors: dict[int, dict[str, int]] = {}
    province_of: dict[int, str] = {}
    for old_id, new_id, code, province in UnitCorrespondence.objects.filter(
            old_unit_id__in={r[1] for r in rows}).values_list("old_unit_id", "new_unit_id", "new_unit__code", "new_unit__parent__name"):
        successors.setdefault(old_id, {})[code] = new_id
        province_of[old_id] = province or ""
    parsed: dict[str, str | None] = {}
    moves, proposed = [], 0
    for person_id, commune_id, street, village_name in rows:
        new_id = None
        text = ", ".join(t for t in (street, village_name) if t)
        if text and len(successors.get(commune_id, {})) > 1:
            key = f"{text}, {province_of[commune_id]}"
            if key not in parsed:
                parsed[key] = _ward_code_2025(key)
            new_id = successors[commune_id].get(parsed[key])
        if new_id:
            proposed += 1
        moves.append(RehomingMove(run=run, person_id=person_id, old_commune_id=commune_id, new_commune_id=new_id,
                                  method=Method.ADDRESS if new_id else Method.NONE,
                                  state=State.PROPOSED if new_id else State.UNRESOLVED))
    RehomingMove.objects.bulk_create(moves, batch_size=5000)
    return proposed, len(moves) - proposed


def _ward_code_2025(address: str) -> str | None:
    """The 2025 commune code an address names (commune, province), or None when it names none."""
    from vietnamadminunits import parse_address

    try:
        unit = parse_address(address, mode="FROM_2025", level=2)
    except Exception:  # the parser raises on text it cannot read at all
        return None
    return unit.ward_code or None


# -- applying and undoing -----------------------------------------------------------------------------------------
def _moves_filter(run_id: int | None, move_ids: list[int] | None) -> tuple[str, list]:
    if move_ids is not None:
        marks = ", ".join(["%s"] * len(move_ids))
        return f"m.id IN ({marks})", list(move_ids)
    return "m.run_id = %s", [run_id]


def _audit(*, by, where: str, params: list, reverse: bool, note: str) -> int:
    """One audit row per person the statement before just moved (recognised by where he now is)."""
    old, new = ("n", "o") if reverse else ("o", "n")
    now_on = "m.old_commune_id" if reverse else "m.new_commune_id"
    return insert_from_select(
        actor=by, action="update", target_type="people.person", note=note,
        source_sql=f"""SELECT CAST(p.id AS TEXT) AS target_id,
                SUBSTR(p.full_name || ' (' || CAST(p.birth_year AS TEXT) || ')', 1, 200) AS target_label,
                p.id AS person_id,
                '{{"commune": ["' || REPLACE({old}.name, '"', '') || '", "' || REPLACE({new}.name, '"', '') || '"]}}' AS changes
            FROM {MOVE} m JOIN {PERSON} p ON p.id = m.person_id
                 JOIN {UNIT} o ON o.id = m.old_commune_id JOIN {UNIT} n ON n.id = m.new_commune_id
            WHERE {where} AND m.state = %s AND p.commune_id = {now_on}""",
        params=[*params, State.UNDONE if reverse else State.MOVED],
    )


def _moves_sql(where: str, state: str) -> str:
    """The moves a statement works on, for the care apps' receivers: person_id, old_commune_id, new_commune_id."""
    return f"SELECT m.person_id, m.old_commune_id, m.new_commune_id FROM {MOVE} m WHERE {where} AND m.state = '{state}'"


# A run moving at least this many people rebuilds the person table's indexes rather than maintaining them row by row.
# Measured on 580,000 people (docs/geo.md): the UPDATE through 11 indexes took 30–90 s, without them 8–12 s, and
# rebuilding them 15–27 s; below some tens of thousands of rows, maintaining them costs less than a rebuild.
BULK_MOVES = 50_000


@contextmanager
def _rebuilt_person_indexes(rows: int, timings: dict | None = None, label: str = "update"):
    """PostgreSQL, `rows` ≥ BULK_MOVES: the person table's secondary indexes and its commune foreign key are dropped
    before the statement in the block and re-created after it (in the same transaction: a failure rolls them back).
    A commune change can never be a HOT update, so otherwise every moved row costs an entry in each of the 11
    indexes and a deferred foreign-key check at commit; a rebuild is a sort per index and one join for the key.
    The table stays locked (ACCESS EXCLUSIVE) until the transaction ends: a province-wide run is a one-off
    maintenance operation, started by a province-wide user (docs/geo.md, "When to run it")."""
    t0 = time.monotonic()
    if connection.vendor != "postgresql" or rows < BULK_MOVES:
        yield
        if timings is not None:
            timings[f"seconds_{label}"] = round(time.monotonic() - t0, 1)
        return
    with connection.cursor() as cur:
        cur.execute(f"LOCK TABLE {PERSON} IN ACCESS EXCLUSIVE MODE")
        # Checks still deferred from earlier in the transaction are run now: PostgreSQL alters no table with pending ones.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        # Indexes of their own (not those behind the primary key or a unique constraint), with their definitions.
        cur.execute("""SELECT quote_ident(i.relname), pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                       WHERE x.indrelid = %s::regclass AND NOT EXISTS (
                           SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid)
                       ORDER BY i.relname""", [PERSON])
        indexes = cur.fetchall()
        cur.execute("""SELECT quote_ident(c.conname), pg_get_constraintdef(c.oid) FROM pg_constraint c
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                       WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname = 'commune_id'""", [PERSON])
        keys = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        for name, _ in keys:
            cur.execute(f"ALTER TABLE {PERSON} DROP CONSTRAINT {name}")
    t1 = time.monotonic()
    yield
    t2 = time.monotonic()
    with connection.cursor() as cur:
        # Rows inserted earlier in the same transaction queue key checks even when the key did not change.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)
        for name, definition in keys:  # validated by one anti-join over the table
            cur.execute(f"ALTER TABLE {PERSON} ADD CONSTRAINT {name} {definition}")
    if timings is not None:
        timings.update({f"seconds_{label}": round(t2 - t1, 1),
                        "seconds_indexes": round(time.monotonic() - t2 + t1 - t0, 1)})


def apply_moves(*, run: RehomingRun | None = None, move_ids: list[int] | None = None, by=None, timings: dict | None = None,
                expected: int = 0) -> int:
    """Put the people of the run's (or the given) moves in state "moved" on their 2025 commune, keep their old one
    as former_commune, audit each, and let the care apps follow. A person no longer on the move's old commune (edited
    since) is left alone. Returns the number of people moved. `expected`: how many moves the run made (the bulk
    path's threshold)."""
    where, params = _moves_filter(run.pk if run else None, move_ids)
    with _rebuilt_person_indexes(expected, timings):
        moved = _execute(
            f"""UPDATE {PERSON} SET former_commune_id = commune_id, commune_id = m.new_commune_id,
                    version = version + 1, updated_at = %s
                FROM {MOVE} m WHERE m.person_id = {PERSON}.id AND {where} AND m.state = %s
                    AND {PERSON}.commune_id = m.old_commune_id""",
            [timezone.now(), *params, State.MOVED])
    t1 = time.monotonic()
    _audit(by=by, where=where, params=params, reverse=False,
           note="Chuyển sang xã/phường từ 01/07/2025 (chuyển địa bàn) / Re-homed to the 2025 commune")
    t2 = time.monotonic()
    bump("people")  # cached counts by commune (core.dataversion)
    persons_rehomed.send(sender=RehomingMove, moves_sql=_moves_sql(where, State.MOVED), params=params, undo=False, by=by)
    if timings is not None:
        timings.update(seconds_audit=round(t2 - t1, 1), seconds_care_records=round(time.monotonic() - t2, 1))
    return moved


@transaction.atomic
def undo_run(*, run: RehomingRun, by) -> int:
    """Put every person the run moved back on his pre-2025 commune (if he is still where the run put him), audited;
    the run's pending proposals leave the review list. Returns the number of people put back."""
    if not province_wide(by):
        raise Invalid("Chỉ người dùng cấp tỉnh mới hoàn tác được việc chuyển địa bàn.",
                      "Only province-wide users can undo a re-homing.")
    run = RehomingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RehomingRun.Status.DONE:
        raise Invalid("Chỉ hoàn tác được một lượt đã hoàn tất (và chưa hoàn tác).",
                      "Only a completed run that was not undone yet can be undone.")
    where, params = "m.run_id = %s", [run.pk]
    if connection.vendor == "postgresql":
        _execute("SET LOCAL work_mem = '128MB'")
    undone = RehomingMove.objects.filter(run=run, state=State.MOVED).update(state=State.UNDONE)
    now = timezone.now()
    with _rebuilt_person_indexes(undone):
        back = _execute(
            f"""UPDATE {PERSON} SET commune_id = m.old_commune_id, former_commune_id = NULL,
                    version = version + 1, updated_at = %s
                FROM {MOVE} m WHERE m.person_id = {PERSON}.id AND {where} AND m.state = %s
                    AND {PERSON}.commune_id = m.new_commune_id AND {PERSON}.former_commune_id = m.old_commune_id""",
            [now, *params, State.UNDONE])
    _audit(by=by, where=where, params=params, reverse=True,
           note=f"Hoàn tác lượt chuyển địa bàn #{run.pk} / Re-homing run #{run.pk} undone")
    bump("people")  # cached counts by commune (core.dataversion)
    persons_rehomed.send(sender=RehomingMove, moves_sql=_moves_sql(where, State.UNDONE), params=params, undo=True, by=by)
    RehomingMove.objects.filter(run=run, state__in=PENDING).update(state=State.UNDONE)
    RehomingRun.objects.filter(pk=run.pk).update(status=RehomingRun.Status.UNDONE, undone_at=now,
                                                 undone_by=by if getattr(by, "pk", None) else None)
    return back


# -- review ---------------------------------------------------------------------------------------------------------
def review_queryset(user):
    """The moves waiting for a decision in the user's jurisdiction (scoped on the old commune)."""
    from core.scoping import scope

    return scope(RehomingMove.objects.filter(state__in=PENDING, run__status=RehomingRun.Status.DONE), user)


def successor_choices(old_commune_ids) -> dict[int, list[AdministrativeUnit]]:
    """{old commune id: its 2025 communes}, for the review page's choices."""
    out: dict[int, list[AdministrativeUnit]] = {}
    for link in UnitCorrespondence.objects.filter(old_unit_id__in=set(old_commune_ids)).select_related("new_unit").order_by("new_unit__name"):
        out.setdefault(link.old_unit_id, []).append(link.new_unit)
    return out


@transaction.atomic
def decide(*, by, move_ids: list[int], new_commune: AdministrativeUnit | None = None, accept_proposal: bool = False) -> int:
    """Bulk decision on pending moves of the user's jurisdiction: put them on `new_commune` (which must be one of
    the 2025 communes each old commune became part of), or accept their address proposals. All or nothing."""
    # Locked by primary key: the scoped queryset of a 2025-unit user is DISTINCT, which FOR UPDATE refuses.
    visible = review_queryset(by).filter(pk__in=move_ids).values("pk")
    moves = list(RehomingMove.objects.select_for_update().filter(pk__in=visible, state__in=PENDING)) if move_ids else []
    if not moves or len(moves) != len(set(move_ids)):
        raise Invalid("Không có người nào được chọn trong danh sách chờ xem xét của bạn.",
                      "No person of your review list was selected.")
    now = timezone.now()
    if accept_proposal:
        missing = [m for m in moves if m.new_commune_id is None]
        if missing:
            raise Invalid(f"{len(missing)} người chưa có đề xuất: hãy chọn xã/phường mới cho họ.",
                          f"{len(missing)} selected people have no proposal: choose their new commune.")
        RehomingMove.objects.filter(pk__in=[m.pk for m in moves]).update(state=State.MOVED, decided_by=by, decided_at=now)
    else:
        if new_commune is None or new_commune.structure != Structure.FROM_2025:
            raise Invalid("Hãy chọn một xã/phường từ 01/07/2025.", "Choose a commune of the 2025 structure.", field="new_commune")
        allowed = set(UnitCorrespondence.objects.filter(new_unit=new_commune).values_list("old_unit_id", flat=True))
        wrong = {m.old_commune_id for m in moves} - allowed
        if wrong:
            names = ", ".join(sorted(AdministrativeUnit.objects.filter(pk__in=wrong).values_list("name", flat=True)))
            raise Invalid(f"{new_commune.name} không phải xã/phường mới của: {names}.",
                          f"{new_commune.name} is not a new commune of: {names}.", field="new_commune")
        RehomingMove.objects.filter(pk__in=[m.pk for m in moves]).update(
            state=State.MOVED, new_commune=new_commune, method=Method.REVIEWED, decided_by=by, decided_at=now)
    return apply_moves(move_ids=[m.pk for m in moves], by=by)


def counts_by_state(user) -> dict[str, int]:
    from django.db.models import Count

    return dict(review_queryset(user).values_list("state").annotate(n=Count("id")).values_list("state", "n"))


