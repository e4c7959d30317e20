"""Reads of the rule versions for other apps."""
from .models import RuleSet
from .rules import valid_until


def rule_versions(*, kind: str, disease: str = "covid19") -> list[dict]:
    """Every version of one kind of rule, oldest first, with the first and last day it applies and its values
    (plain values, without their sources): what a phone needs to judge offline exactly as the server does."""
    out = []
    for rule in RuleSet.objects.filter(disease__code=disease, kind=kind).order_by("valid_from"):
        until = valid_until(rule)
        out.append({"id": rule.pk, "source_document": rule.source_document, "valid_from": rule.valid_from.isoformat(),
                    "valid_until": until.isoformat() if until else None,
                    "values": {k: rule.value(k) for k in rule.values}})
    return out
