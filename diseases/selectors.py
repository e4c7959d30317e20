"""What other apps read from the diseases app (they never query its models directly).

The rule base: `in_force`, `value`, `NoRuleInForce`, `why`, `valid_until`, `coverage_gaps` (diseases.rules);
the diseases: `default_disease`, `get_disease`, `disease_choices`; the case definition of a disease: `definition`;
every version of a kind for the field app: `rule_versions`.
"""
import datetime as dt

from .models import Disease, EffectiveDatedRule, RuleKind, RuleSet  # noqa: F401 - EffectiveDatedRule: the base of every app's rule model
from .rules import (  # noqa: F401 - re-exported
    NoRuleInForce,
    UnknownDisease,
    all_diseases,
    coverage_gaps,
    default_disease,
    default_disease_code,
    get_disease,
    in_force,
    rule_in_force,
    valid_until,
    value,
    why,
)

__all__ = [
    "Disease", "EffectiveDatedRule", "RuleKind", "RuleSet", "NoRuleInForce", "UnknownDisease", "coverage_gaps", "default_disease",
    "default_disease_code", "get_disease", "in_force", "rule_in_force", "valid_until", "value", "why",
    "active_diseases", "all_diseases", "disease_choices", "definition", "default_disease_pk", "rule_versions",
]


def active_diseases():
    return Disease.objects.filter(is_active=True).order_by("-is_default", "name")


def disease_choices() -> list[tuple[str, str]]:
    """(code, name) for disease pickers and filters, the default disease first."""
    return list(active_diseases().values_list("code", "name"))


def definition(disease=None, on: dt.date | None = None) -> RuleSet:
    """The case definition and classification rule in force (kind `case_definition`)."""
    return in_force(disease, RuleKind.CASE_DEFINITION, on or dt.date.today())


def default_disease_pk():
    """Field default of the `disease` foreign keys of other apps (Contact, Test, Product, CriteriaVersion): the
    installation's default disease, or None before any disease exists."""
    from core.errors import Invalid

    try:
        return default_disease().pk
    except Invalid:
        return None


def rule_versions(*, kind: str, disease=None) -> list[dict]:
    """Every version of one kind of rule, oldest first, with the first and last day it applies and its values
    (plain values, without their sources): what a phone needs to judge offline exactly as the server does.
    `disease`: a Disease, its code, or None (the installation's default disease)."""
    from .rules import kind_spec

    spec = kind_spec(kind)
    out = []
    for rule in spec.model.objects.filter(disease=get_disease(disease), **spec.base_filter).order_by("valid_from", "pk"):
        until = valid_until(rule)
        out.append({"id": rule.pk, "source_document": rule.source_document, "valid_from": rule.valid_from.isoformat(),
                    "valid_until": until.isoformat() if until else None,
                    "values": {k: rule.value(k) for k in rule.rule_values()}})
    return out
