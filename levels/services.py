"""Writes of the levels app: criteria versions, entered values, weekly assessments, decisions, measures.

Every write takes the acting user (`by`) and records an audit event in the same transaction.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record
from core.concurrency import update_versioned
from core.errors import Invalid
from diseases.rules import check_overlap as check_rule_overlap
from diseases.rules import forget as forget_rules
from diseases.rules import versions_in_force
from geo import areas, eras

from . import rules, sources
from .models import Assessment, CriteriaEntry, CriteriaVersion, LevelDecision, Measure

# 128/NQ-CP: when a level rises, people and businesses are told at least 48 hours before it takes effect.
RAISE_NOTICE = dt.timedelta(hours=48)


# -- criteria versions ----------------------------------------------------------------------------------
def check_overlap(*, province_id, valid_from: dt.date, valid_to: dt.date | None, exclude_pk=None, disease=None) -> None:
    """Two versions of one scope (national, or one province) never share a day: the rule base's strict overlap
    check for kind level_criteria (diseases.rules.check_overlap)."""
    check_rule_overlap("level_criteria", disease=disease, scope={"province_id": province_id}, valid_from=valid_from,
                       valid_to=valid_to, exclude_pk=exclude_pk)


@transaction.atomic
def create_version(*, by, code: str, name: str, source_document: str, valid_from: dt.date, valid_to: dt.date | None = None,
                   values: dict, province=None, based_on=None, notes: str = "", disease=None) -> CriteriaVersion:
    from diseases.rules import get_disease

    disease = get_disease(disease)
    check_overlap(province_id=province.id if province else None, valid_from=valid_from, valid_to=valid_to, disease=disease)
    version = CriteriaVersion.objects.create(
        code=code, name=name, source_document=source_document, valid_from=valid_from, valid_to=valid_to,
        values=values, province=province, based_on=based_on, notes=notes, created_by=by, disease=disease,
    )
    record(actor=by, action="create", obj=version, note=f"{valid_from:%d/%m/%Y}–{valid_to:%d/%m/%Y}" if valid_to else "")
    return version


def adapt_version(*, by, base: CriteriaVersion, province, valid_from: dt.date, valid_to: dt.date | None = None,
                  source_document: str, changes: dict | None = None) -> CriteriaVersion:
    """A province's adaptation of a version (128/NQ-CP allows it), recorded as its own version."""
    values = {k: dict(v) for k, v in base.values.items()}
    for key, value in (changes or {}).items():
        values[key] = {"value": value, "source": source_document, "confirmed": True}
    return create_version(
        by=by, code=f"{base.code}-{province.code}-{valid_from:%Y%m%d}", name=f"{base.name} – {province.name} ({valid_from:%d/%m/%Y})",
        source_document=source_document, valid_from=valid_from, valid_to=valid_to, values=values, province=province, based_on=base,
    )


@transaction.atomic
def set_threshold(*, by, version: CriteriaVersion, key: str, value, source: str, confirmed: bool, expected_version: int) -> None:
    """Correct one threshold (e.g. once the primary text is verified)."""
    if key not in version.values:
        raise Invalid(f"Không có tham số {key}.", f"No parameter {key}.", "key")
    if not source.strip():
        raise Invalid("Cần ghi nguồn của giá trị.", "The source of the value is required.", "source")
    old = version.values[key]
    values = {**version.values, key: {**old, "value": value, "source": source.strip(), "confirmed": confirmed}}
    update_versioned(version, expected_version=expected_version, changes={"values": values})
    forget_rules()  # update() sends no post_save: the rule base's cache is cleared here
    record(actor=by, action="update", obj=version, changes={key: (old, values[key])})


@transaction.atomic
def set_version_dates(*, by, version: CriteriaVersion, valid_from: dt.date, valid_to: dt.date | None, expected_version: int) -> None:
    check_overlap(province_id=version.province_id, valid_from=valid_from, valid_to=valid_to, exclude_pk=version.pk,
                  disease=version.disease_id)
    changes = {"valid_from": (version.valid_from, valid_from), "valid_to": (version.valid_to, valid_to)}
    update_versioned(version, expected_version=expected_version, changes={"valid_from": valid_from, "valid_to": valid_to})
    forget_rules()
    record(actor=by, action="update", obj=version, changes=changes)


# -- entered values -------------------------------------------------------------------------------------
def week_start_of(day: dt.date) -> dt.date:
    """The first day of the assessment week containing `day` (weeks start on the cut weekday, Monday by default)."""
    cut = getattr(settings, "LEVELS_CUT_WEEKDAY", 0)
    return day - dt.timedelta(days=(day.weekday() - cut) % 7)


def clean_values(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if key not in rules.INPUTS:
            raise Invalid(f"Tiêu chí không xác định: {key}.", f"Unknown criterion: {key}.", key)
        if value is None or value == "":
            continue
        if key in rules.BOOLEAN_INPUTS:
            out[key] = value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "có", "co", "x", "yes"}
            continue
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise Invalid(f"{rules.INPUTS[key][0]}: “{value}” không phải là số.", f"{rules.INPUTS[key][1]}: “{value}” is not a number.", key)
        if number < 0 or (key.endswith("_pct") and number > 100):
            raise Invalid(f"{rules.INPUTS[key][0]}: giá trị ngoài khoảng cho phép.", f"{rules.INPUTS[key][1]}: value out of range.", key)
        out[key] = number
    return out


@transaction.atomic
def enter_values(*, by, unit, week_start: dt.date, values: dict, origin: str = "entered") -> CriteriaEntry:
    week_start = week_start_of(week_start)
    check_unit_of_week(unit, week_start)  # criteria are entered on the units their week is assessed on
    cleaned = clean_values(values)
    entry, created = CriteriaEntry.objects.select_for_update().get_or_create(
        unit=unit, week_start=week_start, defaults={"values": cleaned, "origin": origin, "entered_by": by})
    if not created:
        old = dict(entry.values)
        entry.values = {**entry.values, **cleaned}
        entry.origin, entry.entered_by = origin, by
        entry.save(update_fields=["values", "origin", "entered_by", "updated_at"])
        record(actor=by, action="update", obj=entry, target_label=f"{unit} {week_start:%d/%m/%Y}",
               changes={k: (old.get(k), v) for k, v in cleaned.items() if old.get(k) != v})
    else:
        record(actor=by, action="create", obj=entry, target_label=f"{unit} {week_start:%d/%m/%Y}", changes={k: (None, v) for k, v in cleaned.items()})
    return entry


# -- weekly assessment ----------------------------------------------------------------------------------
class FutureWeek(Invalid):
    pass


def check_week(week_start: dt.date, now: dt.datetime | None = None) -> dt.date:
    week_start = week_start_of(week_start)
    cut = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=timezone.get_current_timezone())
    if (now or timezone.now()) < cut:
        raise FutureWeek(
            f"Tuần {week_start:%d/%m/%Y} chưa kết thúc (số liệu chốt lúc 00:00 ngày {cut:%d/%m/%Y}): chưa đánh giá được.",
            f"The week of {week_start:%d/%m/%Y} has not ended (data cut at 00:00 on {cut:%d/%m/%Y}): it cannot be assessed yet.",
            "week",
        )
    return week_start


def level_in_force(unit, at: dt.datetime | None = None) -> LevelDecision | None:
    at = at or timezone.now()
    return (LevelDecision.objects.filter(unit=unit, status=LevelDecision.Status.PUBLISHED, effective_from__lte=at)
            .order_by("-effective_from", "-week_start").first())


def _previous_levels(units, week_start) -> dict[int, int]:
    """The level in force at the cut (published decision), else last week's computed level."""
    wanted = {u.id for u in units}
    # Filtered by week in SQL and by unit here: thousands of unit ids as parameters cost more than the extra rows.
    ids = [u.id for u in units] if len(wanted) <= 500 else None
    cut = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=timezone.get_current_timezone())
    prev_qs = Assessment.objects.filter(week_start=week_start - dt.timedelta(days=7), level__isnull=False)
    dec_qs = LevelDecision.objects.filter(status=LevelDecision.Status.PUBLISHED, effective_from__lte=cut)
    if ids is not None:
        prev_qs, dec_qs = prev_qs.filter(unit_id__in=ids), dec_qs.filter(unit_id__in=ids)
    prev = {u: lvl for u, lvl in prev_qs.values_list("unit_id", "level") if u in wanted}
    for unit_id, proposed, decided in dec_qs.order_by("unit_id", "effective_from", "week_start").values_list(
            "unit_id", "proposed_level", "decided_level"):
        if unit_id in wanted:
            prev[unit_id] = decided or proposed  # the latest wins
    return prev


def assess_units(units: list, week_start: dt.date, *, now: dt.datetime | None = None) -> list[Assessment]:
    """Assess the units for the week from the system's data and entered values; store and return the results."""
    week_start = check_week(week_start, now)
    end = week_start + dt.timedelta(days=6)
    try:
        versions = versions_in_force(None, "level_criteria", end)  # the rule base's cached lookup
    except Invalid:  # no disease yet
        versions = ()
    by_window: dict[int, list] = {}
    chosen = {}
    no_version = None
    for u in units:
        try:
            v = rules.version_in_force(end, u, versions=versions)
        except rules.NoVersionInForce as exc:
            no_version = exc
            chosen[u.id] = None
            continue
        chosen[u.id] = v
        by_window.setdefault(int(rules._val(v.values, "window_days", 7)), []).append(u)
    data: dict[int, sources.UnitData] = {}
    with transaction.atomic():
        _no_jit()
        for window, group in by_window.items():
            data.update(sources.collect(group, week_start, window_days=window))
    previous = _previous_levels(units, week_start)
    rows = []
    for u in units:
        v = chosen[u.id]
        if v is None:
            rows.append(Assessment(unit=u, week_start=week_start, level=None, version=None, population=None, values={}, origins={},
                                   steps=[], missing=[{"key": "version", "vi": no_version.vi, "en": no_version.en}]))
            continue
        d = data[u.id]
        result = rules.assess_with_version(d.values, v, previous_level=previous.get(u.id))
        missing = []
        for m in result.missing:
            note = d.notes.get(m.key)
            missing.append({"key": m.key, "vi": f"{m.vi}. {note['vi']}" if note else m.vi, "en": f"{m.en}. {note['en']}" if note else m.en})
        # Stored compact (levels.rules.Step.stored): message codes rendered when read, sources as references to the
        # version's parameters; 3,300 explanations would otherwise repeat the same sentences megabytes over.
        steps = [s.stored() for s in result.steps]
        rows.append(Assessment(unit=u, week_start=week_start, level=result.level, version=v, population=d.population,
                               values=d.values, origins=d.origins, steps=steps, missing=missing))
    now_ = timezone.now()
    for r in rows:
        r.computed_at = now_
    with transaction.atomic():
        _save_assessments(rows)
    return rows


COPY_MIN_ROWS = 200  # below this a plain bulk upsert is as fast
_COLUMNS = ["unit_id", "week_start", "level", "version_id", "population", "values", "origins", "steps", "missing", "computed_at"]
_JSON = {"values", "origins", "steps", "missing"}


def _save_assessments(rows: list[Assessment]) -> None:
    """Insert or replace the week's rows. On PostgreSQL through COPY into a temporary table and one upsert: for the
    country's 10,000 communes, building a parameterised INSERT of megabytes of explanations costs seconds."""
    from django.db import connection

    if connection.vendor != "postgresql" or len(rows) < COPY_MIN_ROWS:
        fields = ["level", "version", "population", "values", "origins", "steps", "missing", "computed_at"]
        Assessment.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["unit", "week_start"],
                                       update_fields=fields)
        return
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from psycopg.types.json import Jsonb

    def dumps(obj):
        return json.dumps(obj, ensure_ascii=False, cls=DjangoJSONEncoder)

    cols = ", ".join(f'"{c}"' for c in _COLUMNS)
    with connection.cursor() as cur:
        if _lz4(cur):
            # The explanations are kilobytes per unit, compressed twice (load table, then the table): lz4 does it
            # in less than half pglz's time. For this transaction only; reading either is transparent.
            cur.execute("SET LOCAL default_toast_compression = lz4")
        cur.execute(f"CREATE TEMP TABLE levels_assessment_load ON COMMIT DROP AS SELECT {cols} FROM levels_assessment WITH NO DATA")
        with cur.cursor.copy(f"COPY levels_assessment_load ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row([Jsonb(getattr(r, c), dumps) if c in _JSON else getattr(r, c) for c in _COLUMNS])
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in _COLUMNS if c not in ("unit_id", "week_start"))
        cur.execute(f"INSERT INTO levels_assessment ({cols}) SELECT {cols} FROM levels_assessment_load "
                    f'ON CONFLICT ("unit_id", "week_start") DO UPDATE SET {updates} RETURNING "id", "unit_id"')
        ids = dict((unit_id, pk) for pk, unit_id in cur.fetchall())
        cur.execute("DROP TABLE levels_assessment_load")
    for r in rows:
        r.pk = ids.get(r.unit_id)


def _no_jit() -> None:
    """The sources' grouped scans are short: PostgreSQL's JIT compiled each of them for longer than it ran
    (~50 ms a query). Off for this transaction only."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")


_LZ4: dict = {}


def _lz4(cur) -> bool:
    """Whether this PostgreSQL server was built with lz4 (once per process)."""
    if "ok" not in _LZ4:
        cur.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cur.fetchone()
        _LZ4["ok"] = bool(row and row[0])
    return _LZ4["ok"]


def provinces_to_assess(by, week_start: dt.date) -> list:
    """The provinces a user's "run the assessment" covers for a week: the province of his jurisdiction when it is on
    that week's structure, else the installation's province(s) on it (geo.areas)."""
    from geo.models import AdministrativeUnit

    unit = by.jurisdiction_unit
    if unit is not None and unit.structure == areas.structure_on(week_start):
        return [AdministrativeUnit.objects.get(path=rules.province_path(unit.path))]
    return list(areas.provinces_on(week_start))


def run_assessment(*, by, week_start: dt.date) -> int:
    """Assess every unit of the user's province(s) for a week (the map's button and POST /api/levels/run): how many."""
    return sum(len(assess_province(p, week_start)) for p in provinces_to_assess(by, week_start))


def assess_province(province, week_start: dt.date, *, now=None) -> list[Assessment]:
    """Every commune, district and the province itself (each on its own aggregated data)."""
    from geo.models import AdministrativeUnit

    units = list(AdministrativeUnit.objects.filter(path__startswith=province.path, structure=province.structure).order_by("path"))
    return assess_units(units, week_start, now=now)


def weekly_assessment(week_start: str | None = None) -> int:
    """Scheduled job (see LevelsConfig.ready): assess the week that ended at the last cut, for the installation's
    province(s) on the structure of that week."""
    now = timezone.localtime()
    ws = dt.date.fromisoformat(week_start) if week_start else week_start_of(now.date()) - dt.timedelta(days=7)
    count = 0
    # The installation's provinces on the structure of that week (geo.areas): 2025 communes for weeks from
    # 01/07/2025 (the pre-2025 communes' data rolled up into them), the pre-2025 units before.
    provinces = areas.provinces_on(ws)
    for p in provinces:
        count += len(assess_province(p, ws))
    record(actor=None, action="update", target_label="levels.weekly_assessment", note=f"{ws:%d/%m/%Y}: {count} units assessed",
           actor_label="scheduler")
    return count


# -- decisions --------------------------------------------------------------------------------------------
def _reason_needed(level: int, computed: int | None, reason: str, who_vi: str, who_en: str) -> None:
    if computed is not None and level != computed and not reason.strip():
        raise Invalid(f"{who_vi} khác cấp độ tính toán (cấp {computed}): cần ghi lý do.",
                      f"{who_en} differs from the computed level ({computed}): a reason is required.", "reason")


def check_unit_of_week(unit, week_start: dt.date) -> None:
    """Levels are proposed and decided on the units of their week: geo.eras' rule and words (a level shown on the
    other structure's map is derived, levels.crosswalk, and is never decided on)."""
    eras.check_unit_of_week(unit, week_start)


@transaction.atomic
def propose(*, by, unit, week_start: dt.date, level: int, reason: str = "") -> LevelDecision:
    """Department of Health proposes the level of a unit for a week (from the computed one, or overridden with a reason)."""
    if level not in (1, 2, 3, 4):
        raise Invalid("Cấp độ phải từ 1 đến 4.", "The level must be 1 to 4.", "level")
    check_unit_of_week(unit, week_start)
    assessment = Assessment.objects.filter(unit=unit, week_start=week_start).first()
    computed = assessment.level if assessment else None
    _reason_needed(level, computed, reason, "Cấp độ đề xuất", "The proposed level")
    if computed is None and not reason.strip():
        raise Invalid("Chưa có cấp độ tính toán cho tuần này: cần ghi căn cứ đề xuất.",
                      "No computed level for this week: state the grounds of the proposal.", "reason")
    existing = LevelDecision.objects.select_for_update().filter(unit=unit, week_start=week_start).first()
    if existing and existing.status != LevelDecision.Status.PROPOSED:
        raise Invalid("Cấp độ tuần này đã được quyết định; không đề xuất lại được.", "This week's level is already decided.", "level")
    if existing:
        changes = {"proposed_level": level, "proposal_reason": reason, "proposed_by": by, "proposed_at": timezone.now(), "computed_level": computed}
        audit_changes = {"proposed_level": (existing.proposed_level, level)}
        update_versioned(existing, expected_version=existing.version, changes=changes)
        record(actor=by, action="update", obj=existing, changes=audit_changes)
        return existing
    decision = LevelDecision.objects.create(
        unit=unit, week_start=week_start, assessment=assessment, computed_level=computed, proposed_level=level,
        proposal_reason=reason, proposed_by=by, proposed_at=timezone.now())
    record(actor=by, action="create", obj=decision, changes={"proposed_level": (None, level)}, note=reason)
    return decision


@transaction.atomic
def decide(*, by, decision: LevelDecision, level: int, decision_number: str, decision_date: dt.date,
           effective_from: dt.datetime, reason: str = "", extra_measures: str = "", expected_version: int,
           now: dt.datetime | None = None) -> LevelDecision:
    """The People's Committee decides (recorded by leadership). A rise needs 48 h notice (128/NQ-CP)."""
    now = now or timezone.now()
    if decision.status != LevelDecision.Status.PROPOSED:
        raise Invalid("Chỉ quyết định được cấp độ đang ở trạng thái đề xuất.", "Only a proposed level can be decided.", "status")
    if level not in (1, 2, 3, 4):
        raise Invalid("Cấp độ phải từ 1 đến 4.", "The level must be 1 to 4.", "level")
    if not decision_number.strip():
        raise Invalid("Cần số quyết định.", "The decision number is required.", "decision_number")
    if decision_date is None or effective_from is None:
        raise Invalid("Cần ngày quyết định và thời điểm hiệu lực.", "The decision date and effective time are required.", "effective_from")
    if timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    if level != decision.proposed_level and not reason.strip():
        raise Invalid(f"Cấp độ quyết định khác cấp độ đề xuất (cấp {decision.proposed_level}): cần ghi lý do.",
                      f"The decided level differs from the proposed level ({decision.proposed_level}): a reason is required.", "reason")
    _reason_needed(level, decision.computed_level, reason, "Cấp độ quyết định", "The decided level")
    current = level_in_force(decision.unit, effective_from)
    if current and level > current.level and effective_from < now + RAISE_NOTICE:
        earliest = timezone.localtime(now + RAISE_NOTICE)
        raise Invalid(
            f"Nâng cấp độ (từ cấp {current.level} lên cấp {level}) phải thông báo trước ít nhất 48 giờ: "
            f"hiệu lực sớm nhất {earliest:%H:%M %d/%m/%Y}.",
            f"Raising the level (from {current.level} to {level}) needs at least 48 hours' notice: "
            f"the earliest effective time is {earliest:%H:%M %d/%m/%Y}.",
            "effective_from",
        )
    changes = {"decided_level": level, "decision_number": decision_number.strip(), "decision_date": decision_date,
               "effective_from": effective_from, "decision_reason": reason, "extra_measures": extra_measures,
               "decided_by": by, "decided_at": now, "status": LevelDecision.Status.DECIDED}
    update_versioned(decision, expected_version=expected_version, changes=changes)
    record(actor=by, action="update", obj=decision, note=f"decided {decision_number}",
           changes={"status": ("proposed", "decided"), "decided_level": (None, level)})
    return decision


@transaction.atomic
def publish(*, by, decision: LevelDecision, expected_version: int) -> LevelDecision:
    if decision.status != LevelDecision.Status.DECIDED:
        raise Invalid("Chỉ công bố được cấp độ đã quyết định.", "Only a decided level can be published.", "status")
    update_versioned(decision, expected_version=expected_version,
                     changes={"status": LevelDecision.Status.PUBLISHED, "published_by": by, "published_at": timezone.now()})
    record(actor=by, action="update", obj=decision, changes={"status": ("decided", "published")})
    return decision


def measures_in_force(unit, at: dt.datetime | None = None) -> tuple[LevelDecision | None, list[Measure]]:
    decision = level_in_force(unit, at)
    if decision is None:
        return None, []
    return decision, list(Measure.objects.filter(level=decision.level, is_active=True))


@transaction.atomic
def save_measure(*, by, measure: Measure | None, data: dict, expected_version: int | None = None) -> Measure:
    if not str(data.get("text", "")).strip():
        raise Invalid("Cần nội dung biện pháp.", "The measure text is required.", "text")
    if measure is None:
        measure = Measure.objects.create(**data)
        record(actor=by, action="create", obj=measure)
        return measure
    changes = {k: (getattr(measure, k), v) for k, v in data.items() if getattr(measure, k) != v}
    update_versioned(measure, expected_version=expected_version, changes=data)
    record(actor=by, action="update", obj=measure, changes=changes)
    return measure


# -- a whole week in a few clicks -----------------------------------------------------------------------------
def propose_week(*, by, week_start: dt.date, units) -> int:
    """Propose the computed level of every unit that has one and no proposal yet (no override: no reason needed)."""
    ids = {u.id for u in units}
    done = set(LevelDecision.objects.filter(week_start=week_start, unit_id__in=ids).values_list("unit_id", flat=True))
    todo = [a for a in Assessment.objects.filter(week_start=week_start, unit_id__in=ids, level__isnull=False).select_related("unit")
            if a.unit_id not in done]
    now = timezone.now()
    with transaction.atomic():
        LevelDecision.objects.bulk_create([
            LevelDecision(unit=a.unit, week_start=week_start, assessment=a, computed_level=a.level, proposed_level=a.level,
                          proposed_by=by, proposed_at=now) for a in todo])
        record(actor=by, action="create", target_label=f"levels.propose_week {week_start:%d/%m/%Y}",
               note=f"{len(todo)} levels proposed as computed")
    return len(todo)


def decide_week(*, by, week_start: dt.date, units, decision_number: str, decision_date: dt.date,
                effective_from: dt.datetime, publish_now: bool = True, now: dt.datetime | None = None) -> tuple[int, list[str]]:
    """Decide (and publish) every proposal of the week at its proposed level under one People's Committee decision.

    Each unit goes through `decide`, so the 48-hour rule applies per unit; units refused are listed, the others saved.
    """
    ids = {u.id for u in units}
    done, refused = 0, []
    for d in LevelDecision.objects.filter(week_start=week_start, unit_id__in=ids, status=LevelDecision.Status.PROPOSED).select_related("unit"):
        try:
            with transaction.atomic():
                decide(by=by, decision=d, level=d.proposed_level, decision_number=decision_number, decision_date=decision_date,
                       effective_from=effective_from, reason=d.proposal_reason, expected_version=d.version, now=now)
                if publish_now:
                    publish(by=by, decision=d, expected_version=d.version)
            done += 1
        except Invalid as exc:
            refused.append(f"{d.unit.name}: {exc.vi}")
    return done, refused
