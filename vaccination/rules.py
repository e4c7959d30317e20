"""Pure evaluation of vaccination rules: is a dose acceptable, what is a person's status, when is the next dose due.

Every threshold comes from the data passed in (Schedule / DosePolicy rows, the "fully_vaccinated" RuleSet in force),
never from constants here. services.py gathers the data and calls these functions.
"""
import datetime as dt
from dataclasses import dataclass, field

PRIMARY, ADDITIONAL, BOOSTER = "primary", "additional", "booster"


@dataclass(frozen=True)
class Dose:
    kind: str
    number: int
    given_on: dt.date
    product: str  # product code
    completes_primary: bool = False
    primary_doses: int | None = None  # of the schedule it was given under (for the next-dose computation)
    interval_days: int | None = None  # recommended (or minimum) interval of that schedule


@dataclass(frozen=True)
class ScheduleFacts:
    product: str
    age_min: int
    age_below: int | None
    primary_doses: int
    min_interval_days: int
    recommended_interval_days: int | None
    mixable_with: tuple[str, ...]
    usable_as_booster: bool


@dataclass(frozen=True)
class PolicyFacts:
    additional_min_days: int
    booster_min_days: int
    booster_next_min_days: int
    booster_age_min: int
    max_additional: int
    max_boosters: int
    overdue_after_days: int


@dataclass(frozen=True)
class Finding:
    code: str
    vi: str
    en: str
    hard: bool = True

    def as_dict(self) -> dict:
        return {"code": self.code, "vi": self.vi, "en": self.en, "hard": self.hard}


@dataclass
class Candidate:
    kind: str
    number: int
    given_on: dt.date
    product: str
    product_name: str
    approved_on: dt.date
    age: int | None
    schedule: ScheduleFacts | None  # the product's schedule in force that covers the person's age
    product_in_force: bool  # some schedule of the product is in force on the date (whatever the age)
    policy: PolicyFacts | None
    today: dt.date
    is_immunocompromised: bool = False
    contraindicated: bool = False
    extra: dict = field(default_factory=dict)


def _d(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def check_dose(c: Candidate, history: list[Dose]) -> list[Finding]:
    """Hard findings refuse the dose; soft ones (hard=False) need a supervisor's override with a reason."""
    out: list[Finding] = []
    if c.given_on > c.today:
        out.append(Finding("future", f"Ngày tiêm {_d(c.given_on)} ở tương lai.", f"The date {_d(c.given_on)} is in the future."))
    if c.given_on < c.approved_on:
        out.append(Finding("before_approval", f"{c.product_name} chưa được phê duyệt trước ngày {_d(c.approved_on)}.",
                           f"{c.product_name} was not approved before {_d(c.approved_on)}."))
    if c.number < 1:
        out.append(Finding("bad_number", "Số mũi phải từ 1 trở lên.", "The dose number must be 1 or more."))
        return out
    same_slot = [d for d in history if d.kind == c.kind and d.number == c.number]
    if same_slot:
        out.append(Finding("duplicate", f"Mũi này đã được ghi nhận ngày {_d(same_slot[0].given_on)}.",
                           f"This dose was already recorded on {_d(same_slot[0].given_on)}."))
        return out
    if c.contraindicated:
        out.append(Finding("contraindicated", "Người này đã được ghi nhận chống chỉ định.", "This person was recorded as contraindicated.", hard=False))
    if c.kind == PRIMARY:
        out += _check_primary(c, [d for d in history if d.kind == PRIMARY])
    else:
        out += _check_extra(c, history)
    return out


def _check_primary(c: Candidate, primaries: list[Dose]) -> list[Finding]:
    out: list[Finding] = []
    s = c.schedule
    if s is None:
        if c.product_in_force:
            out.append(Finding("wrong_age", f"{c.product_name} không dùng cho người {c.age} tuổi vào ngày {_d(c.given_on)}.",
                               f"{c.product_name} is not for a person aged {c.age} on {_d(c.given_on)}."))
        else:
            out.append(Finding("no_schedule", f"Không có lịch tiêm {c.product_name} có hiệu lực ngày {_d(c.given_on)}.",
                               f"No {c.product_name} schedule is in force on {_d(c.given_on)}."))
        return out
    if c.number > s.primary_doses:
        out.append(Finding("too_many", f"{c.product_name} chỉ có {s.primary_doses} mũi cơ bản.",
                           f"{c.product_name} has only {s.primary_doses} primary dose(s)."))
        return out
    if any(d.completes_primary for d in primaries):
        out.append(Finding("too_many", "Người này đã tiêm đủ liều cơ bản.", "This person already completed the primary series."))
        return out
    if c.number != len(primaries) + 1:
        out.append(Finding("out_of_order", f"Chưa có mũi cơ bản {len(primaries) + 1}: không thể ghi mũi {c.number}.",
                           f"Primary dose {len(primaries) + 1} is missing: dose {c.number} cannot be recorded."))
        return out
    for d in primaries:
        if d.product != c.product and d.product not in s.mixable_with:
            out.append(Finding("forbidden_mix", f"Không được phối hợp {c.product_name} sau vắc xin {d.product} trong liều cơ bản.",
                               f"{c.product_name} may not follow {d.product} in the primary series."))
            return out
    if primaries:
        prev = max(primaries, key=lambda d: d.number)
        days = (c.given_on - prev.given_on).days
        earliest = prev.given_on + dt.timedelta(days=s.min_interval_days)
        if days < s.min_interval_days:
            out.append(Finding("too_early", f"Quá sớm: mũi {c.number} chỉ được tiêm từ ngày {_d(earliest)} ({s.min_interval_days} ngày sau mũi trước).",
                               f"Too early: dose {c.number} may be given from {_d(earliest)} ({s.min_interval_days} days after the previous one)."))
        elif s.recommended_interval_days and days < s.recommended_interval_days:
            out.append(Finding("early", f"Sớm hơn khoảng cách khuyến cáo {s.recommended_interval_days} ngày ({days} ngày).",
                               f"Earlier than the recommended interval of {s.recommended_interval_days} days ({days} days).", hard=False))
    return out


def _check_extra(c: Candidate, history: list[Dose]) -> list[Finding]:
    out: list[Finding] = []
    p = c.policy
    if p is None:
        return [Finding("no_policy", f"Chưa có quy định mũi bổ sung/nhắc lại có hiệu lực ngày {_d(c.given_on)}.",
                        f"No additional/booster dose rule is in force on {_d(c.given_on)}.")]
    done = [d for d in history if d.completes_primary and d.given_on <= c.given_on]
    if not done:
        return [Finding("primary_incomplete", "Chưa tiêm đủ liều cơ bản.", "The primary series is not complete.")]
    if c.age is not None and c.age < p.booster_age_min:
        out.append(Finding("wrong_age", f"Mũi bổ sung/nhắc lại chỉ cho người từ {p.booster_age_min} tuổi.",
                           f"Additional and booster doses are for people aged {p.booster_age_min} or more."))
    if not c.product_in_force:
        out.append(Finding("no_schedule", f"Không có lịch tiêm {c.product_name} có hiệu lực ngày {_d(c.given_on)}.",
                           f"No {c.product_name} schedule is in force on {_d(c.given_on)}."))
    elif c.schedule is not None and not c.schedule.usable_as_booster:
        out.append(Finding("not_booster", f"{c.product_name} không dùng làm mũi bổ sung/nhắc lại.",
                           f"{c.product_name} is not used for additional or booster doses."))
    same_kind = [d for d in history if d.kind == c.kind]
    limit = p.max_additional if c.kind == ADDITIONAL else p.max_boosters
    if c.number > limit:
        out.append(Finding("too_many", f"Tối đa {limit} mũi loại này.", f"At most {limit} dose(s) of this kind."))
        return out
    if c.number != len(same_kind) + 1:
        out.append(Finding("out_of_order", f"Chưa có mũi {len(same_kind) + 1} loại này: không thể ghi mũi {c.number}.",
                           f"Dose {len(same_kind) + 1} of this kind is missing: dose {c.number} cannot be recorded."))
        return out
    base = [d for d in history if d.kind in (PRIMARY, ADDITIONAL)]
    if c.kind == ADDITIONAL:
        last, min_days = max(d.given_on for d in base), p.additional_min_days
        if not c.is_immunocompromised:
            out.append(Finding("not_special_group", "Mũi bổ sung dành cho nhóm đặc biệt (suy giảm miễn dịch…).",
                               "Additional doses are for special groups (immunocompromised…).", hard=False))
    elif c.number == 1:
        last, min_days = max(d.given_on for d in base), p.booster_min_days
    else:
        last, min_days = max(d.given_on for d in same_kind), p.booster_next_min_days
    earliest = last + dt.timedelta(days=min_days)
    if c.given_on < earliest:
        out.append(Finding("too_early", f"Quá sớm: mũi này chỉ được tiêm từ ngày {_d(earliest)} ({min_days} ngày sau mũi trước).",
                           f"Too early: this dose may be given from {_d(earliest)} ({min_days} days after the previous one)."))
    return out


# --- status ---------------------------------------------------------------------------------------------------
NONE, PARTIAL, FULL, BOOSTED, LAPSED = "none", "partial", "full", "boosted", "lapsed"
STATUS_LABELS = {
    NONE: ("Chưa tiêm", "Not vaccinated"),
    PARTIAL: ("Chưa đủ liều", "Partly vaccinated"),
    FULL: ("Đủ liều", "Fully vaccinated"),
    BOOSTED: ("Đủ liều và đã tiêm nhắc lại", "Fully vaccinated and boosted"),
    LAPSED: ("Đủ liều cơ bản nhưng quá thời hạn", "Primary series complete but no longer counted"),
}


def _value(values: dict, key: str, default=None):
    entry = values.get(key)
    if entry is None:
        return default
    return entry.get("value") if isinstance(entry, dict) else entry


def status_on(doses: list[Dose], on: dt.date, rule_values: dict | None) -> str:
    """Status on `on` under the "fully_vaccinated" rule values in force then (None: primary series complete)."""
    given = [d for d in doses if d.given_on <= on]
    if not given:
        return NONE
    complete = any(d.completes_primary for d in given)
    last = max(d.given_on for d in given)
    since = (on - last).days
    if rule_values is None:
        full = complete
    else:
        basis = _value(rule_values, "basis", "primary_series")
        if basis == "min_doses":
            full = len(given) >= _value(rule_values, "min_doses", 2) or (complete and bool(_value(rule_values, "primary_series_counts", False)))
        else:
            full = complete
        min_days = _value(rule_values, "min_days_since_last")
        max_days = _value(rule_values, "max_days_since_last")
        if full and min_days is not None and since < min_days:
            return PARTIAL
        if full and max_days is not None and since > max_days:
            return LAPSED
    if full:
        return BOOSTED if any(d.kind == BOOSTER for d in given) else FULL
    return PARTIAL


@dataclass(frozen=True)
class NextDose:
    kind: str
    number: int
    due_on: dt.date
    overdue: bool


def next_dose(doses: list[Dose], on: dt.date, policy: PolicyFacts | None, age: int | None) -> NextDose | None:
    """The next dose a vaccinated person is due for on `on` (None: nothing due or unvaccinated)."""
    given = sorted((d for d in doses if d.given_on <= on), key=lambda d: d.given_on)
    if not given:
        return None
    grace = policy.overdue_after_days if policy else None
    primaries = [d for d in given if d.kind == PRIMARY]
    if primaries and not any(d.completes_primary for d in given):
        last = primaries[-1]
        if last.primary_doses is None or last.interval_days is None:
            return None
        due = last.given_on + dt.timedelta(days=last.interval_days)
        return NextDose(PRIMARY, last.number + 1, due, grace is not None and on > due + dt.timedelta(days=grace))
    if policy is None or (age is not None and age < policy.booster_age_min):
        return None
    boosters = [d for d in given if d.kind == BOOSTER]
    if len(boosters) >= policy.max_boosters:
        return None
    if boosters:
        due = boosters[-1].given_on + dt.timedelta(days=policy.booster_next_min_days)
    else:
        due = max(d.given_on for d in given if d.kind in (PRIMARY, ADDITIONAL)) + dt.timedelta(days=policy.booster_min_days)
    return NextDose(BOOSTER, len(boosters) + 1, due, on > due + dt.timedelta(days=grace))
