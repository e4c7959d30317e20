"""Pure rules: request deadlines, the retention cut-off, age bands and keyed pseudonyms."""
import datetime as dt
import hashlib
import hmac

from django.conf import settings


def deadline_rule(rules, kind: str, received_on: dt.date):
    """The rule in force on `received_on` for `kind` (the newest one that had started), or None."""
    current = [r for r in rules if r.kind == kind and r.effective_from <= received_on]
    return max(current, key=lambda r: r.effective_from, default=None)


def due_on(rule, received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=rule.days)


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29/02
        return today.replace(year=today.year - years, day=28)


def age_band(birth_year: int | None, on: dt.date) -> str:
    """Ten-year bands, 80+ at the top: enough for epidemiology, too coarse to single a person out."""
    if not birth_year:
        return ""
    age = max(on.year - birth_year, 0)
    if age >= 80:
        return "80+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def pseudonym_key() -> bytes:
    """DATAPROTECTION_PSEUDONYM_KEY, or one derived from SECRET_KEY: stable across exports, unknown to researchers."""
    key = getattr(settings, "DATAPROTECTION_PSEUDONYM_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"phongdich-research-pseudonym", hashlib.sha256).digest()


def pseudonym(person_pk: int, key: bytes) -> str:
    """A stable keyed hash of a person's identity: the same person gets the same code in every export."""
    return hmac.new(key, f"person:{person_pk}".encode(), hashlib.sha256).hexdigest()[:16]


def formula_safe(value):
    """Spreadsheet cells never start a formula (= + - @), whatever a name or note holds."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
