"""Which rule version applies on a date. Every capability asks here, never hard-codes a threshold."""
import datetime as dt

from django.db.models import Q

from .models import RuleSet


class NoRuleInForce(LookupError):
    def __init__(self, disease: str, kind: str, on: dt.date):
        super().__init__(
            f"Không có quy định “{kind}” cho {disease} vào ngày {on:%d/%m/%Y} / "
            f"No “{kind}” rule for {disease} in force on {on:%d/%m/%Y}"
        )


def rule_in_force(*, disease: str = "covid19", kind: str, on: dt.date) -> RuleSet:
    rule = (
        RuleSet.objects.filter(disease__code=disease, kind=kind, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise NoRuleInForce(disease, kind, on)
    return rule


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
