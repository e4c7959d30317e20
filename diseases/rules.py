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
