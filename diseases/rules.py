"""Which rule version applies on a date: the one mechanism every app asks (docs/diseases.md).

    in_force(disease, kind, on, **context)        the version in force, or NoRuleInForce naming what is missing
    versions_in_force(disease, kind, on)          every version of the kind in force (all scopes), newest first
    check_overlap(kind, disease=…, scope=…, …)    the one overlap rule of every kind (Invalid on a clash)
    register_kind(kind, Model, …)                 an app's own rule model joins the base (from its AppConfig.ready)
    value(disease, kind, key, on, default=…)      one value of that version
    default_disease() -> Disease                  the installation's default disease (data, never a code in the program)

Every kind is a subclass of `diseases.models.EffectiveDatedRule`: RuleSet for most kinds; vaccination.Schedule
("vaccination_schedule"), vaccination.DosePolicy ("dose_policy") and levels.CriteriaVersion ("level_criteria") are
registered by their apps (the diseases app never imports them: layers point one way), with their scope (versions
of different products, age bands or provinces coexist) and how one is picked among them (`context`: product, age,
unit). `disease` is a Disease, its code, or None (the default disease). Versions are cached per process and the cache is
cleared when any RuleSet or Disease is saved or deleted: at once in the process that saved it, and in the other
processes (web workers, scheduler) within a second through a generation counter kept in the shared Django cache.
A date before the first version or in a gap between versions is a refusal (`NoRuleInForce`, an `Invalid`) that
names the disease, the kind and the date, so the UI, the API and every import row show it instead of a traceback.
"""
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.errors import Invalid

from .models import KIND_EN, Disease, RuleKind, RuleSet

_MISSING = object()


# --- the registry of kinds ---------------------------------------------------------------------------------------
@dataclass
class KindSpec:
    """How one kind is stored and looked up. `scope`: the fields that tell apart versions in force together
    (RuleSet: its kind; schedules: product and age band; criteria: province); `strict`: versions of a scope may not
    overlap at all (else a later start ends an open-ended version, the RuleSet rule); `pick(rows, **context)`
    chooses among the versions in force (newest first); `pack`: the object that reads and writes the kind in a
    disease pack (diseases.packs.TypedKind protocol), None for RuleSet kinds."""
    kind: str
    model: type
    scope: tuple = ()
    strict: bool = False
    pick: Callable | None = None
    select_related: tuple = ()
    pack: object = None
    base_filter: dict = field(default_factory=dict)


_KINDS: dict[str, KindSpec] = {}


def register_kind(kind: str, model, *, scope=(), strict=False, pick=None, select_related=(), watch=(), pack=None) -> None:
    """Called from an app's AppConfig.ready(): `kind` is served by `model` (an EffectiveDatedRule). Saving or
    deleting a `model` row, or one of `watch` (e.g. the products a schedule names), clears every process's cache."""
    if kind not in RuleKind.values:
        raise ValueError(f"{kind} is not a diseases.models.RuleKind")
    _KINDS[kind] = KindSpec(kind, model, tuple(scope), strict, pick, tuple(select_related), pack)
    for m in (model, *watch):
        post_save.connect(_forget_on_change, sender=m, dispatch_uid=f"diseases.rules:{m._meta.label}:save")
        post_delete.connect(_forget_on_change, sender=m, dispatch_uid=f"diseases.rules:{m._meta.label}:delete")


def kind_spec(kind: str) -> KindSpec:
    """The spec of a kind: a registered model, else RuleSet. An unknown kind is refused (vi/en)."""
    spec = _KINDS.get(kind)
    if spec is not None:
        return spec
    if kind not in RuleKind.values:
        raise Invalid(f"Loại quy định không biết “{kind}”.", f"Unknown rule kind “{kind}”.", "kind")
    return KindSpec(kind, RuleSet, ("kind",), False, None, (), None, {"kind": kind})


def typed_kinds() -> dict[str, KindSpec]:
    """The kinds kept in another app's model (a RuleSet of one of these kinds is refused)."""
    return dict(_KINDS)


def is_ruleset_kind(kind: str) -> bool:
    return kind in RuleKind.values and kind not in _KINDS


def scope_of(rule) -> dict:
    """The scope values of a version (filter keywords), e.g. {"product": 3, "age_min": 18}."""
    spec = kind_spec(rule.kind_code)
    out = {}
    for name in spec.scope:
        f = rule._meta.get_field(name)
        out[f.attname] = getattr(rule, f.attname)
    return out


class NoRuleInForce(Invalid, LookupError):
    """No version of a kind covers a date. Carries vi/en like every Invalid; `field` is left to the caller."""

    def __init__(self, disease, kind: str, on: dt.date, field: str | None = None):
        self.disease, self.kind, self.on = disease, kind, on
        name = disease.name if isinstance(disease, Disease) else str(disease)
        name_en = (disease.name_en or disease.name) if isinstance(disease, Disease) else str(disease)
        label = str(RuleKind(kind).label).lower() if kind in RuleKind.values else kind
        super().__init__(
            f"Không có quy định {label} cho {name} vào ngày {on:%d/%m/%Y}: hãy thêm một phiên bản có hiệu lực vào ngày này",
            f"No {KIND_EN.get(kind, kind)} rule for {name_en} on {on:%d/%m/%Y}: add a version that covers this date",
            field,
        )


class UnknownDisease(Invalid, LookupError):
    def __init__(self, code):
        self.code = code
        super().__init__(f"Không có bệnh mã “{code}”.", f"No disease with code “{code}”.", "disease")


# --- the shared cache -------------------------------------------------------------------------------------------
CACHE_KEY = "diseases:rules:generation"
CHECK_EVERY_SECONDS = 1.0
_lock = threading.Lock()
_local: dict = {}  # (disease_id, kind, on) -> RuleSet | None ; ("disease", code) -> Disease
_state = {"generation": None, "checked": 0.0}


def _fresh() -> None:
    """Drop this process's cache when another process changed a rule (checked at most once a second)."""
    now = time.monotonic()
    if now - _state["checked"] < CHECK_EVERY_SECONDS:
        return
    _state["checked"] = now
    try:
        generation = cache.get(CACHE_KEY, 0)
    except Exception:  # pragma: no cover - a cache outage must not stop the rules: fall back to a short local life
        generation = _state["generation"]
        _local.clear()
    if generation != _state["generation"]:
        with _lock:
            _local.clear()
            _state["generation"] = generation


def clear_local() -> None:
    """Empty this process's cache (tests: a rolled-back transaction sends no signal)."""
    with _lock:
        _local.clear()
    _state["checked"] = 0.0


def forget() -> None:
    """Clear every process's cache of versions (called on save/delete of a RuleSet or a Disease)."""
    with _lock:
        _local.clear()
    _state["checked"] = 0.0

    def bump():
        try:
            cache.add(CACHE_KEY, 0)
            _state["generation"] = cache.incr(CACHE_KEY)
        except Exception:  # pragma: no cover
            pass
        with _lock:
            _local.clear()

    transaction.on_commit(bump)


@receiver([post_save, post_delete], sender=RuleSet)
@receiver([post_save, post_delete], sender=Disease)
def _forget_on_change(**kwargs):
    forget()


# --- diseases -----------------------------------------------------------------------------------------------------
def default_disease() -> Disease:
    """The installation's default disease: the one marked default, else the only (or first) active one."""
    _fresh()
    hit = _local.get(("disease", None))
    if hit is not None:
        return hit
    disease = (Disease.objects.filter(is_default=True).first()
               or Disease.objects.filter(is_active=True).order_by("id").first())
    if disease is None:
        raise Invalid("Chưa có bệnh nào: hãy nạp một gói bệnh (phongdich diseases load).",
                      "No disease yet: load a disease pack (phongdich diseases load).", "disease")
    _local[("disease", None)] = disease
    return disease


def get_disease(disease=None) -> Disease:
    """A Disease from a Disease, a code or None (the default disease)."""
    if isinstance(disease, Disease):
        return disease
    if disease in (None, ""):
        return default_disease()
    _fresh()
    if isinstance(disease, int):  # a primary key (a rule row's disease_id)
        hit = _local.get(("disease_pk", disease))
        if hit is None:
            hit = Disease.objects.filter(pk=disease).first()
            if hit is None:
                raise UnknownDisease(disease)
            _local[("disease_pk", disease)] = hit
        return hit
    hit = _local.get(("disease", disease))
    if hit is not None:
        return hit
    found = Disease.objects.filter(code=disease).first()
    if found is None:
        raise UnknownDisease(disease)
    _local[("disease", disease)] = found
    return found


def all_diseases() -> list[Disease]:
    """Every disease, oldest first, from this process's cache (per-disease figures build one CASE or OR over them
    instead of a query per disease)."""
    _fresh()
    hit = _local.get(("diseases", "all"))
    if hit is None:
        hit = list(Disease.objects.order_by("id"))
        with _lock:
            _local[("diseases", "all")] = hit
    return hit


def default_disease_code() -> str:
    return default_disease().code


# --- versions -----------------------------------------------------------------------------------------------------
def _query(disease: Disease, spec: KindSpec, on: dt.date) -> tuple:
    qs = (spec.model.objects.filter(disease=disease, valid_from__lte=on, **spec.base_filter)
          .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("-valid_from", "-pk"))
    if spec.select_related:  # never the bare select_related(), which follows every foreign key
        qs = qs.select_related(*spec.select_related)
    return tuple(qs)


def versions_in_force(disease=None, kind: str | None = None, on: dt.date | None = None) -> tuple:
    """Every version of `kind` whose period holds `on` (every scope), newest first; cached like in_force."""
    if kind is None or on is None:
        raise TypeError("versions_in_force needs a kind and a date")
    if isinstance(on, dt.datetime):
        on = on.date()
    d = get_disease(disease)
    spec = kind_spec(kind)
    _fresh()
    key = (d.pk, kind, on)
    rows = _local.get(key, _MISSING)
    if rows is _MISSING:
        rows = _query(d, spec, on)
        with _lock:
            if len(_local) > 20000:
                _local.clear()
            _local[key] = rows
    return rows


def in_force(disease=None, kind: str | None = None, on: dt.date | None = None, *, field: str | None = None, **context):
    """The version of `kind` in force for `disease` on `on`: the latest valid_from ≤ on not closed by valid_to, among
    the versions the kind's `pick` keeps for `context` (e.g. product=, age= for schedules; unit= for criteria)."""
    if kind is None or on is None:
        raise TypeError("in_force needs a kind and a date")
    if isinstance(on, dt.datetime):
        on = on.date()
    rows = versions_in_force(disease, kind, on)
    spec = kind_spec(kind)
    rule = spec.pick(rows, **context) if spec.pick else (rows[0] if rows else None)
    if rule is None:
        raise NoRuleInForce(get_disease(disease), kind, on, field)
    return rule


def value(disease=None, kind: str | None = None, key: str | None = None, on: dt.date | None = None, default=_MISSING):
    """One value of the version in force. A key the version lacks returns `default`, or is refused without one."""
    rule = in_force(disease, kind, on)
    entry = rule.rule_values().get(key, _MISSING)
    if entry is _MISSING and rule.value(key, _MISSING) is not _MISSING:  # a typed rule's alias ("full_doses")
        return rule.value(key)
    if entry is _MISSING:
        if default is not _MISSING:
            return default
        d = get_disease(disease)
        raise Invalid(
            f"Quy định {rule.source_document} không có giá trị “{key}” cho {d.name}.",
            f"Rule {rule.source_document} has no value “{key}” for {d.name_en or d.name}.",
        )
    return entry.get("value") if isinstance(entry, dict) else entry


def rule_in_force(*, disease=None, kind: str, on: dt.date) -> RuleSet:
    """Keyword form kept for the callers written before the unified rule base."""
    return in_force(disease, kind, on)


def coverage_gaps(disease=None, kind: str | None = None, *, start: dt.date | None = None,
                  until: dt.date | None = None) -> list[tuple[dt.date, dt.date | None]]:
    """The periods from `start` to `until` (default: today) that no version of `kind` covers, as (first, last) days."""
    d = get_disease(disease)
    spec = kind_spec(kind)
    until = until or dt.date.today()
    versions = list(spec.model.objects.filter(disease=d, **spec.base_filter).order_by("valid_from")
                    .values_list("valid_from", "valid_to"))
    if not versions:
        return [(start or until, None)]
    cursor, gaps = start or versions[0][0], []
    for vf, vt in versions:  # a date is covered by the union of [valid_from, valid_to or forever]
        if cursor > until:
            break
        if vf > cursor:
            gaps.append((cursor, min(vf - dt.timedelta(days=1), until)))
        if vt is None:
            return gaps
        cursor = max(cursor, vt + dt.timedelta(days=1))
    if cursor <= until:
        gaps.append((cursor, None))
    return gaps


def valid_until(rule) -> dt.date | None:
    """The last day a version applies: its own valid_to, or the day before the next version of its scope starts."""
    nxt = (
        type(rule).objects.filter(disease_id=rule.disease_id, valid_from__gt=rule.valid_from, **scope_of(rule))
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    ends = [d for d in (rule.valid_to, nxt - dt.timedelta(days=1) if nxt else None) if d]
    return min(ends) if ends else None


def why(rule, on: dt.date, basis_vi: str = "ngày", basis_en: str = "date") -> dict:
    """Which version and why, for the screen: {"vi": …, "en": …, "rule": rule}."""
    return {
        "rule": rule,
        "vi": f"Áp dụng {rule.source_document} vì {basis_vi} {on:%d/%m/%Y} nằm trong thời gian hiệu lực"
              f" (từ {rule.valid_from:%d/%m/%Y}).",
        "en": f"{rule.source_document} applies because the {basis_en} {on:%d/%m/%Y} falls within its validity"
              f" (from {rule.valid_from:%d/%m/%Y}).",
        "unconfirmed": rule.unconfirmed_keys,
    }


# --- the one overlap rule --------------------------------------------------------------------------------------------
def check_overlap(kind: str, *, disease=None, scope: dict | None = None, valid_from: dt.date, valid_to: dt.date | None,
                  exclude_pk=None, field: str = "valid_from") -> None:
    """Refuse (Invalid, vi/en) a version of `kind` whose dates clash with another of the same disease and scope:
    the same start day always; for a strict kind (criteria) any common day; otherwise an explicit valid_to that
    reaches into the next version (an open-ended version simply ends where the next one starts)."""
    if valid_to is not None and valid_to < valid_from:
        raise Invalid("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực.", "The end date is before the start date.", "valid_to")
    spec = kind_spec(kind)
    d = get_disease(disease)
    qs = spec.model.objects.filter(disease=d, **spec.base_filter, **(scope or {}))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    same = qs.filter(valid_from=valid_from).first()
    if same is not None:
        raise Invalid(f"Đã có phiên bản bắt đầu hiệu lực ngày {valid_from:%d/%m/%Y} (“{same}”).",
                      f"A version starting on {valid_from:%d/%m/%Y} already exists (“{same}”).", field)
    if spec.strict:
        other = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            other = other.filter(valid_from__lte=valid_to)
    else:
        earlier = qs.filter(valid_from__lt=valid_from, valid_to__gte=valid_from)
        later = qs.filter(valid_from__gt=valid_from, valid_from__lte=valid_to) if valid_to else qs.none()
        other = earlier | later
    other = other.order_by("valid_from").first()
    if other is not None:
        end_vi = f"{other.valid_to:%d/%m/%Y}" if other.valid_to else "nay"
        end_en = f"{other.valid_to:%d/%m/%Y}" if other.valid_to else "open-ended"
        raise Invalid(
            f"Thời gian hiệu lực trùng với “{other}” ({other.valid_from:%d/%m/%Y} – {end_vi}).",
            f"The dates overlap “{other}” ({other.valid_from:%d/%m/%Y} – {end_en}).",
            field,
        )


# --- one time line of every kind ------------------------------------------------------------------------------------
def scope_label(rule, spec: KindSpec) -> str:
    """What tells a version's scope apart on screen (schedules: vaccine and age band; criteria: the province)."""
    parts = []
    for name in spec.scope:
        if name == "kind":
            continue
        v = getattr(rule, name)
        if name == "age_min":
            below = getattr(rule, "age_below", None)
            parts.append(f"{v}–<{below}" if below is not None else f"{v}+")
        elif v is None:
            parts.append("toàn quốc")
        else:
            parts.append(str(getattr(v, "code", v)))
    return " · ".join(parts)


def timeline(disease=None, *, until: dt.date | None = None) -> dict:
    """Every kind of a disease on one time line: one lane per kind (per scope for schedules and criteria), each a
    list of segments {"gap": bool, "start", "end" (None = still in force), "rule", "source", "unconfirmed"} in date
    order, with the periods no version covers as gap segments (before the first version of a plain kind, between
    versions, after a closed last version). Returns {"start", "end", "lanes": [{"kind", "label", "scope", "segments"}]}.
    """
    d = get_disease(disease)
    until = until or dt.date.today()
    lanes = []
    for kind, label in RuleKind.choices:
        spec = kind_spec(kind)
        rows = list(spec.model.objects.filter(disease=d, **spec.base_filter).order_by("valid_from", "pk"))
        if spec.select_related and rows:
            rows = list(spec.model.objects.filter(pk__in=[r.pk for r in rows]).select_related(*spec.select_related)
                        .order_by("valid_from", "pk"))
        by_scope: dict[tuple, list] = {}
        for r in rows:
            by_scope.setdefault(tuple(scope_of(r).values()), []).append(r)
        for scope_rows in by_scope.values():
            lanes.append({"kind": kind, "label": str(label), "scope": scope_label(scope_rows[0], spec),
                          "scoped": bool([n for n in spec.scope if n != "kind"]), "rows": scope_rows})
    if not lanes:
        return {"start": until, "end": until, "lanes": []}
    start = min(lane["rows"][0].valid_from for lane in lanes)
    end = max([until] + [r.valid_to for lane in lanes for r in lane["rows"] if r.valid_to]
              + [r.valid_from for lane in lanes for r in lane["rows"]])
    for lane in lanes:
        segments, cursor = [], start
        rows = lane.pop("rows")
        if lane["scoped"]:
            cursor = rows[0].valid_from  # a vaccine or a province enters the line when its first version starts
        for i, r in enumerate(rows):
            nxt = rows[i + 1].valid_from if i + 1 < len(rows) else None
            ends = [x for x in (r.valid_to, nxt - dt.timedelta(days=1) if nxt else None) if x]
            last = min(ends) if ends else None
            if r.valid_from > cursor:
                segments.append({"gap": True, "start": cursor, "end": r.valid_from - dt.timedelta(days=1)})
            segments.append({"gap": False, "start": r.valid_from, "end": last, "rule": r, "source": r.source_document,
                             "unconfirmed": r.unconfirmed_keys})
            cursor = (last + dt.timedelta(days=1)) if last else None
            if cursor is None:
                break
        if cursor is not None and cursor <= end:
            segments.append({"gap": True, "start": cursor, "end": None})
        lane["segments"] = segments
    span = max((end - start).days + 1, 1)
    for lane in lanes:  # positions on the drawn bar, in percent of the line
        for s in lane["segments"]:
            last = s["end"] or end
            s["left"] = round(100 * (s["start"] - start).days / span, 2)
            s["width"] = max(round(100 * ((last - s["start"]).days + 1) / span, 2), 0.4)
    return {"start": start, "end": end, "lanes": lanes}
