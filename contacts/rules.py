"""Pure rules of contact tracing: the quarantine/precaution period, test days and follow-up end of a contact,
computed from the F1 rule set (diseases.RuleSet kind "f1_quarantine") in force on the exposure date.

Day counting: day 0 is the date of the last exposure to the source case; "day N" is last exposure + N days.
A quarantine of N days therefore ends at the end of day N (5599/BYT-MT and its successors count "từ ngày tiếp xúc
lần cuối"). Follow-up (self-monitoring or precautions) runs from the day after the quarantine ends.

Values the rule sets carry (see contacts/migrations/0001_seed_f1_quarantine_rules.py for the sources):
  vaccination_dependent        bool: whether protected contacts (vaccinated/recovered) get a shorter period
  quarantine_days              int: for everyone, or for unprotected contacts when vaccination_dependent
  test_days                    list[int]
  monitoring_days              int: self-monitoring after quarantine (or precautions when quarantine_days = 0)
  protected_quarantine_days / protected_test_days / protected_monitoring_days: for protected contacts
  min_days_since_last_dose     int: the last dose must be at least this old on the exposure date
  max_months_since_last_dose   int|None: …and at most this old (10696: 6 months); None = no upper bound
  recovered_within_months      int: recovered (earlier confirmation) within this many months counts as protected
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class VaccinationFacts:
    """What is known (declared, entered, or read from the vaccination registry) about a contact's protection."""

    fully_vaccinated: bool | None = None  # None: unknown → treated as not protected (strictest reading)
    last_dose_on: dt.date | None = None
    recovered_on: dt.date | None = None  # date of an earlier confirmed infection


@dataclass(frozen=True)
class Schedule:
    rule_name: str
    rule_source: str
    rule_id: int | None
    protected: bool
    quarantine_days: int
    quarantine_start: dt.date
    quarantine_end: dt.date | None  # None when no quarantine applies
    test_dates: list[dt.date] = field(default_factory=list)
    test_days: list[int] = field(default_factory=list)
    follow_up_end: dt.date | None = None
    unconfirmed: list[str] = field(default_factory=list)

    @property
    def quarantine_required(self) -> bool:
        return self.quarantine_days > 0


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _v(values: dict, key: str, default=None):
    entry = values.get(key)
    if entry is None:
        return default
    return entry.get("value") if isinstance(entry, dict) else entry


def is_protected(values: dict, facts: VaccinationFacts, exposure: dt.date) -> bool:
    """Whether the contact counts as fully vaccinated or recently recovered under this rule version."""
    if not _v(values, "vaccination_dependent", False):
        return False
    recovered_months = _v(values, "recovered_within_months")
    if facts.recovered_on and recovered_months and facts.recovered_on <= exposure:
        if add_months(facts.recovered_on, recovered_months) >= exposure:
            return True
    if not facts.fully_vaccinated:
        return False
    if facts.last_dose_on is None:
        # Declared fully vaccinated without a date: accepted as declared (the form asks for the date).
        return True
    if facts.last_dose_on > exposure:
        return False
    min_days = _v(values, "min_days_since_last_dose", 0) or 0
    if (exposure - facts.last_dose_on).days < min_days:
        return False
    max_months = _v(values, "max_months_since_last_dose")
    if max_months and add_months(facts.last_dose_on, max_months) < exposure:
        return False
    return True


def schedule_for(rule, *, last_exposure: dt.date, facts: VaccinationFacts | None = None) -> Schedule:
    """The quarantine period, test dates and follow-up end for a contact last exposed on `last_exposure`.

    `rule` is a diseases.RuleSet (or any object with .values, .name, .source_document, .pk).
    """
    facts = facts or VaccinationFacts()
    values = rule.values
    protected = is_protected(values, facts, last_exposure)
    prefix = "protected_" if protected else ""
    q_days = int(_v(values, f"{prefix}quarantine_days", _v(values, "quarantine_days", 0)) or 0)
    test_days = list(_v(values, f"{prefix}test_days", _v(values, "test_days", [])) or [])
    monitoring = int(_v(values, f"{prefix}monitoring_days", _v(values, "monitoring_days", 0)) or 0)
    q_end = last_exposure + dt.timedelta(days=q_days) if q_days else None
    base = q_end or last_exposure
    used = [k for k in (f"{prefix}quarantine_days", f"{prefix}test_days", f"{prefix}monitoring_days") if k in values]
    unconfirmed = [k for k in used if isinstance(values[k], dict) and not values[k].get("confirmed", True)]
    return Schedule(
        rule_name=rule.name,
        rule_source=rule.source_document,
        rule_id=getattr(rule, "pk", None),
        protected=protected,
        quarantine_days=q_days,
        quarantine_start=last_exposure,
        quarantine_end=q_end,
        test_days=test_days,
        test_dates=[last_exposure + dt.timedelta(days=d) for d in test_days],
        follow_up_end=base + dt.timedelta(days=monitoring),
        unconfirmed=unconfirmed,
    )


def find_cycle(edges: dict[int, set[int]], new_from: int, new_to: int) -> list[int] | None:
    """If adding the edge new_from → new_to (infector → infectee) closes a cycle, the path new_to → … → new_from.

    `edges` maps a node to the nodes it infected. Pure, used by the services before writing a link
    (the services query the chain below `new_to` with a recursive CTE and pass it here).
    """
    if new_from == new_to:
        return [new_from]
    stack = [(new_to, [new_to])]
    seen = {new_to}
    while stack:
        node, path = stack.pop()
        for nxt in edges.get(node, ()):
            if nxt == new_from:
                return path + [nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
