"""Which rule version applies on a date: the one mechanism every app asks (docs/diseases.md).

    in_force(disease, kind, on) -> RuleSet        the version in force, or NoRuleInForce naming what is missing
    value(disease, kind, key, on, default=…)      one value of that version
    default_disease() -> Disease                  the installation's default disease (data, never a code in the program)

`disease` is a Disease, its code, or None (the default disease). Versions are cached per process and the cache is
cleared when any RuleSet or Disease is saved or deleted: at once in the process that saved it, and in the other
processes (web workers, scheduler) within a second through a generation counter kept in the shared Django cache.
A date before the first version or in a gap between versions is a refusal (`NoRuleInForce`, an `Invalid`) that
names the disease, the kind and the date, so the UI, the API and every import row show it instead of a traceback.
"""
import datetime as dt
import threading
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.errors import Invalid

from .models import KIND_EN, Disease, RuleKind, RuleSet

_MISSING = object()


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
def _query(disease: Disease, kind: str, on: dt.date) -> RuleSet | None:
    return (
        RuleSet.objects.filter(disease=disease, kind=kind, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def in_force(disease=None, kind: str | None = None, on: dt.date | None = None, *, field: str | None = None) -> RuleSet:
    """The version of `kind` in force for `disease` on `on` (the latest valid_from ≤ on, not closed by valid_to)."""
    if kind is None or on is None:
        raise TypeError("in_force needs a kind and a date")
    if isinstance(on, dt.datetime):
        on = on.date()
    d = get_disease(disease)
    _fresh()
    key = (d.pk, kind, on)
    rule = _local.get(key, _MISSING)
    if rule is _MISSING:
        rule = _query(d, kind, on)
        with _lock:
            if len(_local) > 20000:
                _local.clear()
            _local[key] = rule
    if rule is None:
        raise NoRuleInForce(d, kind, on, field)
    return rule


def value(disease=None, kind: str | None = None, key: str | None = None, on: dt.date | None = None, default=_MISSING):
    """One value of the version in force. A key the version lacks returns `default`, or is refused without one."""
    rule = in_force(disease, kind, on)
    entry = rule.values.get(key, _MISSING)
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
    until = until or dt.date.today()
    versions = list(RuleSet.objects.filter(disease=d, kind=kind).order_by("valid_from").values_list("valid_from", "valid_to"))
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


def valid_until(rule: RuleSet) -> dt.date | None:
    """The last day a version applies: its own valid_to, or the day before the next version starts."""
    nxt = (
        RuleSet.objects.filter(disease_id=rule.disease_id, kind=rule.kind, valid_from__gt=rule.valid_from)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    ends = [d for d in (rule.valid_to, nxt - dt.timedelta(days=1) if nxt else None) if d]
    return min(ends) if ends else None


def why(rule: RuleSet, on: dt.date, basis_vi: str = "ngày", basis_en: str = "date") -> dict:
    """Which version and why, for the screen: {"vi": …, "en": …, "rule": rule}."""
    return {
        "rule": rule,
        "vi": f"Áp dụng {rule.source_document} vì {basis_vi} {on:%d/%m/%Y} nằm trong thời gian hiệu lực"
              f" (từ {rule.valid_from:%d/%m/%Y}).",
        "en": f"{rule.source_document} applies because the {basis_en} {on:%d/%m/%Y} falls within its validity"
              f" (from {rule.valid_from:%d/%m/%Y}).",
        "unconfirmed": rule.unconfirmed_keys,
    }
