"""Write functions and queries of vaccination. Views, API, importers, jobs and other apps go through here.

Other apps rely on: `is_fully_vaccinated(person, on)`, `person_status(person, on)`, `coverage(unit, on)`,
`coverage_for_levels(unit, on)`.
"""
import datetime as dt

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.lookups import LessThanOrEqual

from accounts.roles import allowed
from audit.services import record
from core.dataversion import bump, cached
from core.errors import Invalid
from core.sqlids import ids_in
from diseases.rules import NoRuleInForce, in_force, rule_in_force, versions_in_force
from diseases.rules import check_overlap as check_rule_overlap
from diseases.rules import forget as forget_rules
from geo import areas
from geo.eras import unit_of_person_on
from geo.models import AGE_BAND_BOUNDS, AdministrativeUnit, Level, PopulationEstimate
from geo.services import age_cohorts as geo_age_cohorts
from geo.services import population_at as geo_population_at
from geo.services import population_by_band as geo_population_by_band
from people import selectors as people_selectors

from . import rules
from .models import DoseKind, DosePolicy, Injection, PersonVaccination, Product, Schedule
from .signals import dose_recorded

# Who may accept a dose that raised warnings (with a written reason). Vaccinators record; supervisors decide.
VACCINATION_SUPERVISORS = allowed("vaccination.supervise")


class DoseRefused(Invalid):
    """Hard findings: the dose cannot be recorded."""

    def __init__(self, findings: list[rules.Finding]):
        self.findings = findings
        super().__init__(" ".join(f.vi for f in findings), " ".join(f.en for f in findings))


class NeedsOverride(Invalid):
    """Only warnings: a supervisor may record the dose with a reason."""

    def __init__(self, findings: list[rules.Finding]):
        self.findings = findings
        super().__init__(
            " ".join(f.vi for f in findings) + " Cần cán bộ giám sát xác nhận kèm lý do.",
            " ".join(f.en for f in findings) + " A supervisor must confirm with a reason.",
        )


# --- rule data in force ----------------------------------------------------------------------------------------
# Schedules and dose policies are kinds of the one rule base (diseases.rules, registered in rule_kinds.py): looked up
# and cached there. Before the first version (COVID-19 vaccines before 2021) the answer is "none", as it always was.
def _in_force(qs, on: dt.date):
    return qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def schedules_in_force(product: Product, on: dt.date, *, disease=None) -> list[Schedule]:
    """The schedules of a product in force on `on`, newest first (every age band); `disease=None`: the product's."""
    try:
        rows = versions_in_force(disease or product.disease_id, "vaccination_schedule", on)
    except Invalid:  # no disease at all yet
        return []
    return [s for s in rows if s.product_id == product.pk]


def all_schedules_in_force(on: dt.date, disease=None) -> list[Schedule]:
    """Every schedule of the disease (None: the default disease, the one the dose registry follows) in force."""
    try:
        return list(versions_in_force(disease, "vaccination_schedule", on))
    except Invalid:
        return []


def schedule_for(product: Product, on: dt.date, age: int | None) -> Schedule | None:
    try:
        return in_force(product.disease_id, "vaccination_schedule", on, product=product, age=age)
    except Invalid:  # NoRuleInForce: no schedule for that product and age
        return None


def policy_in_force(on: dt.date, disease=None) -> DosePolicy | None:
    try:
        return in_force(disease, "dose_policy", on)
    except Invalid:  # NoRuleInForce before the first policy (no additional or booster doses yet)
        return None


def schedule_facts(s: Schedule | None) -> rules.ScheduleFacts | None:
    if s is None:
        return None
    return rules.ScheduleFacts(
        product=s.product.code, age_min=s.age_min, age_below=s.age_below, primary_doses=s.primary_doses,
        min_interval_days=s.min_interval_days, recommended_interval_days=s.recommended_interval_days,
        mixable_with=tuple(s.mixable_with or ()), usable_as_booster=s.usable_as_booster,
    )


def policy_facts(p: DosePolicy | None) -> rules.PolicyFacts | None:
    if p is None:
        return None
    return rules.PolicyFacts(
        additional_min_days=p.additional_min_days, booster_min_days=p.booster_min_days,
        booster_next_min_days=p.booster_next_min_days, booster_age_min=p.booster_age_min,
        max_additional=p.max_additional, max_boosters=p.max_boosters, overdue_after_days=p.overdue_after_days,
    )


def fully_vaccinated_values(on: dt.date) -> dict | None:
    try:
        return rule_in_force(kind="fully_vaccinated", on=on).values
    except NoRuleInForce:
        return None  # before the first definition: primary series complete


def history(person) -> list[rules.Dose]:
    out = []
    for inj in Injection.objects.filter(person=person).select_related("product", "schedule").order_by("given_on", "id"):
        out.append(_dose(inj))
    return out


def _dose(inj: Injection) -> rules.Dose:
    s = inj.schedule
    return rules.Dose(
        kind=inj.dose_kind, number=inj.dose_number, given_on=inj.given_on, product=inj.product.code,
        completes_primary=inj.completes_primary, primary_doses=s.primary_doses if s else None,
        interval_days=(s.recommended_interval_days or s.min_interval_days) if s else None,
    )


def is_contraindicated(person) -> bool:
    from .models import Visit

    return Visit.objects.filter(person=person, outcome=Visit.Outcome.CONTRAINDICATED).exists()


# --- recording a dose ----------------------------------------------------------------------------------------
def check_injection(*, person, product: Product, dose_kind: str, dose_number: int, given_on: dt.date,
                    today: dt.date | None = None) -> tuple[list[rules.Finding], Schedule | None]:
    age = person.age_on(given_on)
    in_force = schedules_in_force(product, given_on)
    schedule = next((s for s in in_force if s.covers_age(age)), None)
    candidate = rules.Candidate(
        kind=dose_kind, number=dose_number, given_on=given_on, product=product.code, product_name=product.name,
        approved_on=product.approved_on, age=age, schedule=schedule_facts(schedule), product_in_force=bool(in_force),
        policy=policy_facts(policy_in_force(given_on)), today=today or dt.date.today(),
        is_immunocompromised=person.is_immunocompromised, contraindicated=is_contraindicated(person),
    )
    return rules.check_dose(candidate, history(person)), schedule


@transaction.atomic
def record_injection(*, by, person, product: Product, dose_kind: str, dose_number: int, given_on: dt.date,
                     lot: str = "", site: str = "", facility=None, vaccinator_name: str = "",
                     override_reason: str = "", today: dt.date | None = None) -> Injection:
    """Check the dose against the schedule in force on its date and record it (audited), or refuse it."""
    commune = unit_of_person_on(person, given_on, field="given_on", what_vi="Mũi tiêm", what_en="A dose")
    findings, schedule = check_injection(person=person, product=product, dose_kind=dose_kind, dose_number=dose_number,
                                         given_on=given_on, today=today)
    hard = [f for f in findings if f.hard]
    if hard:
        raise DoseRefused(hard)
    override_reason = (override_reason or "").strip()
    if findings and not (override_reason and by is not None and by.has_role(VACCINATION_SUPERVISORS)):
        raise NeedsOverride(findings)
    inj = Injection.objects.create(
        person=person, commune_id=commune.pk, product=product, schedule=schedule, dose_kind=dose_kind,
        dose_number=dose_number, given_on=given_on, lot=lot.strip(), site=site.strip(), facility=facility,
        vaccinator=by if getattr(by, "pk", None) else None, vaccinator_name=vaccinator_name or (str(by) if by else ""),
        completes_primary=bool(dose_kind == DoseKind.PRIMARY and schedule and dose_number == schedule.primary_doses),
        warnings=[f.as_dict() for f in findings], override_reason=override_reason if findings else "",
        overridden_by=by if findings else None,
    )
    record(actor=by, action="create", obj=inj, person_id=person.pk, changes={
        "product": (None, product.code), "dose_kind": (None, dose_kind), "dose_number": (None, dose_number),
        "given_on": (None, given_on.isoformat()), "lot": (None, inj.lot),
    })
    if findings:
        # The supervisor's decision to accept warnings, with the reason, as its own audit event.
        record(actor=by, action="other", obj=inj, person_id=person.pk, note=override_reason,
               records={"event": "override_warnings", "warnings": [f.code for f in findings]})
    refresh_summary([person.pk])
    dose_recorded.send(sender=Injection, by=by, injection=inj)  # supplies takes stock; never refuses care (docs/supplies.md)
    return inj


# --- per-person summary (coverage source) ----------------------------------------------------------------------
def _birth_date_sql() -> str:
    if connection.vendor == "postgresql":
        return "COALESCE(p.date_of_birth, make_date(p.birth_year, 7, 1))"
    return "COALESCE(p.date_of_birth, printf('%04d-07-01', p.birth_year))"


def refresh_summary(person_ids=None, *, person_filter_sql: str | None = None) -> None:
    """Recompute PersonVaccination for the given people (a list, or an SQL subquery yielding person ids)."""
    if person_filter_sql is None:
        ids = [int(i) for i in person_ids or []]
        if not ids:
            return
        person_filter_sql = ",".join(str(i) for i in ids)
    bump("vaccination")
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM vaccination_personvaccination WHERE person_id IN ({person_filter_sql})")
        cur.execute(f"""
            INSERT INTO vaccination_personvaccination
                (person_id, commune_id, birth_date, first_on, primary_done_on, additional_on, booster1_on, last_on, dose_count)
            SELECT i.person_id, p.commune_id, {_birth_date_sql()}, MIN(i.given_on),
                   MIN(CASE WHEN i.completes_primary THEN i.given_on END),
                   MIN(CASE WHEN i.dose_kind = 'additional' THEN i.given_on END),
                   MIN(CASE WHEN i.dose_kind = 'booster' THEN i.given_on END),
                   MAX(i.given_on), COUNT(*)
            FROM vaccination_injection i JOIN people_person p ON p.id = i.person_id
            WHERE i.person_id IN ({person_filter_sql})
            GROUP BY i.person_id, p.commune_id, p.date_of_birth, p.birth_year""")


# --- status ------------------------------------------------------------------------------------------------------
def person_status(person, on: dt.date) -> dict:
    doses = history(person)
    status = rules.status_on(doses, on, fully_vaccinated_values(on))
    policy = policy_in_force(on)
    nxt = rules.next_dose(doses, on, policy_facts(policy), person.age_on(on))
    vi, en = rules.STATUS_LABELS[status]
    return {"status": status, "label_vi": vi, "label_en": en, "next_dose": nxt, "doses": doses}


def is_fully_vaccinated(person, on: dt.date) -> bool:
    """Fully vaccinated on `on` under the "fully_vaccinated" rule version then in force (10696, then 762…)."""
    return rules.status_on(history(person), on, fully_vaccinated_values(on)) in (rules.FULL, rules.BOOSTED)


# --- coverage ----------------------------------------------------------------------------------------------------
BANDS = list(AGE_BAND_BOUNDS)
DOSES = ("dose1", "full", "booster")


def communes_of(unit) -> list[int]:
    """Ids of the communes at or below `unit` for counting (geo.areas.commune_ids_under): for a 2025 unit also the
    pre-2025 communes whose default successor it is, so a divided commune's people count once."""
    return areas.commune_ids_under(unit)


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def population(unit_or_ids, on: dt.date) -> tuple[dict[str, int], int | None]:
    """({band: population}, year) for coverage denominators: geo.services.population_by_band of the unit (the
    population module's figures, never a second sum). A list of commune ids (a campaign's communes) is summed
    over the estimates of the latest year not after `on` and aged by cohort to `on` as population_at does."""
    if isinstance(unit_or_ids, AdministrativeUnit) or areas.is_region(unit_or_ids):
        return geo_population_by_band(unit_or_ids, on)
    ids = list(unit_or_ids)
    qs = PopulationEstimate.objects.filter(unit_id__in=ids)
    years = sorted(set(qs.values_list("year", flat=True)))
    if not years:
        return {b: 0 for b in BANDS}, None
    year = max((y for y in years if y <= on.year), default=years[0])
    rows = qs.filter(year=year).values("age_band").annotate(total=Sum("population"))
    out = {b: 0 for b in BANDS}
    for r in rows:
        out[r["age_band"]] = r["total"] or 0
    return geo_age_cohorts(out, on.year - year), year


def counts_by_band(commune_ids: list[int], on: dt.date, *, table: str = "vaccination_personvaccination",
                   of_their_time: bool = False) -> dict[str, dict[str, int]]:
    """One grouped query over PersonVaccination: people with ≥1 dose, primary series complete, ≥1 booster by `on`.
    `of_their_time` (a pre-2025 unit, people_selectors.of_their_time): re-homed people count on their former commune."""
    out = {b: {d: 0 for d in DOSES} for b in BANDS}
    if not commune_ids:
        return out
    bands = list(AGE_BAND_BOUNDS.items())
    case = "CASE " + " ".join(
        f"WHEN birth_date > %s THEN '{bands[i - 1][0]}'" for i in range(1, len(bands))
    ) + f" ELSE '{bands[-1][0]}' END"
    case_params = [_years_before(on, lo) for _band, (lo, _hi) in bands[1:]]
    rows = people_selectors.summary_rows_sql(table, commune_ids, of_their_time=of_their_time)
    sql = f"""
        SELECT {case} AS band,
               COUNT(*),
               COUNT(CASE WHEN primary_done_on <= %s THEN 1 END),
               COUNT(CASE WHEN booster1_on <= %s THEN 1 END)
        FROM {rows} s
        WHERE first_on <= %s
        GROUP BY 1"""
    with connection.cursor() as cur:
        cur.execute(sql, [*case_params, on, on, on])
        for band, dose1, full, booster in cur.fetchall():
            out[band] = {"dose1": dose1, "full": full, "booster": booster}
    return out


def _cell(num: int, den: int) -> dict:
    """A coverage figure. Over 100 % it is flagged (`over`): pages show it with its reason, never as a plain number."""
    cell = {"numerator": num, "denominator": den, "percentage": round(100.0 * num / den, 2) if den else None}
    if den and num > den:
        cell["over"] = True
        cell["over_reason"] = OVER_100_REASON
    return cell


# Why a coverage figure can pass 100 % (the API and exports carry it with the `over` flag; pages show it).
OVER_100_REASON = {
    "vi": "Số người đã tiêm vượt dân số ước tính: người ngoài địa bàn tiêm tại đây, người chuyển đến chưa có trong "
          "ước tính, hoặc ước tính dân số thấp hơn thực tế.",
    "en": "More people vaccinated than the estimated population: people from elsewhere vaccinated here, newcomers not "
          "yet in the estimate, or an estimate lower than reality.",
}


def over_100(figures: dict) -> dict:
    """{key: reason} of the percentages over 100 among `figures` (coverage_for_levels' figures): flagged, never plain."""
    return {k: OVER_100_REASON for k, v in figures.items() if isinstance(v, (int, float)) and v > 100}


def denominator_note(cov: dict) -> dict:
    """{"vi", "en"}: which population a coverage figure divides by (always the official estimate, aged to the date),
    and that the registry is shown beside it."""
    year, aged = cov.get("population_year"), cov.get("population_aged_years") or 0
    if year is None:
        return {"vi": "Chưa có ước tính dân số: không tính được tỷ lệ.", "en": "No population estimate: no rate."}
    vi = f"Mẫu số: dân số ước tính năm {year}"
    en = f"Denominator: the population estimate of {year}"
    if aged:
        vi += f", tính tuổi theo nhóm đến ngày {cov['on']:%d/%m/%Y} (cộng {aged} năm)"
        en += f", aged by cohort to {cov['on']:%d/%m/%Y} ({aged} years)"
    vi += ". Số người trong sổ quản lý chỉ để so sánh, không dùng làm mẫu số."
    en += ". The registry count is shown for comparison, never used as the denominator."
    if cov.get("registry_exceeds"):
        vi += " Sổ quản lý có nhiều người hơn dân số ước tính ở nhóm tuổi: " + ", ".join(cov["registry_exceeds"]) + "."
        en += " The registry holds more people than the estimate in: " + ", ".join(cov["registry_exceeds"]) + "."
    return {"vi": vi, "en": en}


def registry_by_band(commune_ids: list[int], on: dt.date, *, of_their_time: bool = False) -> dict[str, int]:
    """People in the registry (not merged) living in the communes, by their age band on `on`: one query. Shown next
    to the official population so that a page says which one is the denominator and how far apart they are.
    `of_their_time`: as counts_by_band."""
    from people.models import Person

    out = dict.fromkeys(BANDS, 0)
    if not commune_ids:
        return out
    aggs = {}
    for band, (lo, hi) in AGE_BAND_BOUNDS.items():
        # Age on `on` between lo and hi: born after (on − (hi + 1) years) and on or before (on − lo years).
        oldest, youngest = _years_before(on, hi + 1), _years_before(on, lo)
        by_date = Q(date_of_birth__gt=oldest, date_of_birth__lte=youngest)
        by_year = Q(date_of_birth__isnull=True, birth_year__gt=on.year - hi - 1, birth_year__lte=on.year - lo)
        aggs[band] = Count("id", filter=by_date | by_year)
    row = Person.objects.filter(people_selectors.people_of_communes_q(commune_ids, of_their_time=of_their_time),
                                merged_into__isnull=True).aggregate(**{
        f"b{i}": agg for i, agg in enumerate(aggs.values())})
    for i, band in enumerate(aggs):
        out[band] = row[f"b{i}"] or 0
    return out


def coverage(unit: AdministrativeUnit, on: dt.date) -> dict:
    """Coverage per age band and dose for a unit on a date; denominators from geo.PopulationEstimate rolled up.

    Doses: "dose1" (≥ 1 dose), "full" (primary series complete), "booster" (≥ 1 booster). Groups "all", "18+", "50+".
    Cached until the doses or the population change (core.dataversion: refresh_summary, the bulk import and the
    population import bump them): the province's figure scans every vaccinated person.
    """
    return cached(("coverage", _area_key(unit), on.isoformat()), versions=COVERAGE_SOURCES, compute=lambda: _coverage(unit, on))


def _area_key(area) -> str:
    """A cache key's area: a health region and a unit may share an id."""
    return f"region:{area.pk}" if areas.is_region(area) else str(area.pk)


# The data the coverage figures read; writers bump these versions (core.dataversion).
COVERAGE_SOURCES = ("vaccination", "population")


def _coverage(unit: AdministrativeUnit, on: dt.date) -> dict:
    ids = communes_of(unit)
    era = people_selectors.of_their_time(unit)  # a pre-2025 unit counts its re-homed people (docs/geo.md)
    counts = counts_by_band(ids, on, of_their_time=era)
    # Denominators at the date (geo.services.population_at): the official estimates, aged by cohort to `on` when
    # the table of that year is not imported, so a band's coverage does not exceed 100 % because people aged.
    at = geo_population_at(unit, on)
    pop, year = at["bands"], at["year"]
    registry = registry_by_band(ids, on, of_their_time=era)
    result = {"unit_id": unit.pk, "unit": unit.name, "on": on, "population_year": year, "bands": {}, "groups": {},
              "population_aged_years": at["aged_years"], "denominator": "population", "registry": registry,
              "population": pop,
              # Bands where the registry holds more people than the official population: both are shown.
              "registry_exceeds": [b for b in BANDS if registry[b] > pop[b]]}
    for band in BANDS:
        result["bands"][band] = {d: _cell(counts[band][d], pop[band]) for d in DOSES}
    groups = {"all": BANDS, "12+": BANDS[2:], "18+": BANDS[3:], "50+": BANDS[4:]}
    for name, members in groups.items():
        den = sum(pop[b] for b in members)
        result["groups"][name] = {d: _cell(sum(counts[b][d] for b in members), den) for d in DOSES}
    result["denominator_note"] = denominator_note(result)
    return result


def _primary_done_by(on: dt.date) -> LessThanOrEqual:
    """"This person's primary series was complete by `on`", for a count over people: one primary-key probe of the
    summary per person. (`pk IN (SELECT person_id …)` inside COUNT … FILTER made PostgreSQL rescan the 800,000-row
    summary for every person whenever it could not hash it within work_mem: a 580,000-person demo's weekly level
    assessment ran for over 12 minutes. An EXISTS was hashed instead, the whole summary read to count a tenth of the
    people: a scalar subquery cannot be, so it is always the probe.)"""
    done_on = Subquery(PersonVaccination.objects.filter(person_id=OuterRef("pk")).values("primary_done_on")[:1])
    return LessThanOrEqual(done_on, on)


def high_risk_counts(commune_ids: list[int], on: dt.date, *, of_their_time: bool = False) -> tuple[int, int]:
    """People with a recorded comorbidity or immunocompromised: (total, primary series complete by `on`). Cached under
    the versions of the people registry and the doses (core.dataversion). `of_their_time`: as counts_by_band."""
    import hashlib

    ids = sorted(int(i) for i in commune_ids)
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return tuple(cached(("high_risk", digest, int(of_their_time), on.isoformat()), versions=("vaccination", "people"),
                        compute=lambda: _high_risk_counts(ids, on, of_their_time)))


def _high_risk_counts(commune_ids: list[int], on: dt.date, of_their_time: bool = False) -> tuple[int, int]:
    from people.models import Person

    agg = Person.objects.filter(people_selectors.people_of_communes_q(commune_ids, of_their_time=of_their_time),
                                merged_into__isnull=True).filter(
        ~Q(comorbidities=[]) | Q(is_immunocompromised=True)
    ).aggregate(total=Count("id"), full=Count("id", filter=_primary_done_by(on)))
    return agg["total"] or 0, agg["full"] or 0


def coverage_for_levels(unit: AdministrativeUnit, on: dt.date) -> dict:
    """Figures the epidemic-level rules (128/NQ-CP, 4800 → 218/QĐ-BYT) need, as percentages (None: no denominator)."""
    cov = coverage(unit, on)
    hr_total, hr_full = high_risk_counts(communes_of(unit), on, of_their_time=people_selectors.of_their_time(unit))
    return {
        "adult_1dose_pct": cov["groups"]["18+"]["dose1"]["percentage"],
        "age50_full_pct": cov["groups"]["50+"]["full"]["percentage"],
        "high_risk_full_pct": round(100.0 * hr_full / hr_total, 2) if hr_total else None,
        "full_pct": cov["groups"]["all"]["full"]["percentage"],
    }


def coverage_for_levels_many(units, on: dt.date) -> dict[int, dict]:
    """`coverage_for_levels` for many units at once (a weekly assessment of every commune, district and province):
    one grouped scan per source instead of a few queries per unit. Same figures as the per-unit function."""
    from collections import defaultdict

    units = list(units)
    targets: dict[str, list[int]] = defaultdict(list)
    for u in units:
        targets[u.path].append(u.pk)
    # Every commune below a target, fetched at once by province prefix; a 2025 unit also maps its predecessors.
    prefixes = sorted({"/" + u.path.strip("/").split("/")[0] + "/" for u in units})
    prefix_q = Q()
    for p in prefixes:
        prefix_q |= Q(path__startswith=p)
    communes = dict(AdministrativeUnit.objects.filter(prefix_q, level=Level.COMMUNE).values_list("id", "path"))
    owners: dict[int, set[str]] = defaultdict(set)  # commune id → target paths that contain it
    for cid, path in communes.items():
        codes = path.strip("/").split("/")
        for i in range(len(codes)):
            ancestor = "/" + "/".join(codes[: i + 1]) + "/"
            if ancestor in targets:
                owners[cid].add(ancestor)
    if any(u.is_post_2025 for u in units):
        # A pre-2025 commune counts in the 2025 units above its default successor (geo.areas.rollup_map: a divided
        # commune once), like every other roll-up; one query for all of them.
        for old, new in areas.rollup_map(areas.FROM_2025).items():
            if old != new and new in owners:
                owners[old] |= owners[new]
    # Pre-2025 units count the people of their time, re-homed or not (docs/geo.md).
    by_path = coverage_for_levels_rollup(owners, on, era_keys={u.path for u in units if not u.is_post_2025})
    none = dict.fromkeys(("adult_1dose_pct", "age50_full_pct", "high_risk_full_pct", "full_pct"))
    return {pk: by_path.get(path, none) for path, pks in targets.items() for pk in pks}


def population_rows_for_levels(commune_ids):
    """The grouped population rows `coverage_for_levels_rollup` divides by: {"unit_id", "year", "n", "adult",
    "elderly", "bands": {band: n}} per commune and year (one query; a caller that needs them too reads them once and
    passes them). The bands are there so that a caller can age them to its date (aged_sums)."""
    rows = list(PopulationEstimate.objects.filter(unit_id__in=commune_ids).values("unit_id", "year")
                .annotate(n=Sum("population"), adult=Sum("population", filter=~Q(age_band__in=("0-4", "5-11", "12-17"))),
                          elderly=Sum("population", filter=Q(age_band__in=("50-64", "65+"))),
                          **{f"band{i}": Sum("population", filter=Q(age_band=b)) for i, b in enumerate(BANDS)}).order_by())
    for r in rows:
        r["bands"] = {b: r.pop(f"band{i}") or 0 for i, b in enumerate(BANDS)}
    return rows


# Groups of bands a denominator of the levels is taken over (coverage_for_levels' figures and the incidence).
LEVEL_GROUPS = {"pop": tuple(BANDS), "adult_pop": tuple(BANDS[3:]), "elderly_pop": tuple(BANDS[4:])}


def aged_sums(bands: dict[str, int], aged_years: int, groups=LEVEL_GROUPS) -> dict[str, int]:
    """{group: population of its bands `aged_years` after the estimates' year}: bands summed over many communes of
    one estimates' year are aged once, band by band as population_at does (so a group's figure is the sum of its
    bands on the coverage page)."""
    aged = geo_age_cohorts(bands, aged_years)
    return {g: sum(aged.get(b, 0) for b in members) for g, members in groups.items()}


def coverage_for_levels_rollup(owners: dict, on: dt.date, population_rows=None, era_keys=()) -> dict:
    """The coverage figures of `coverage_for_levels`, summed over groups of communes: `owners` maps a commune id to
    the keys (unit paths, ids…) whose figures it adds to → {key: figures} for every key named. Numerators and
    denominators are summed per key, then divided (a rate is never averaged). Three grouped queries for all keys:
    the doses, the high-risk people, the population (each commune's latest year not after `on`, else its earliest,
    aged by cohort to `on` like geo.services.population_at; `population_rows`: those of `population_rows_for_levels`
    when the caller has read them already). `era_keys`: the keys of pre-2025 units, where a re-homed person still
    counts on the pre-2025 commune of his time (two more grouped queries over the re-homed people of those communes);
    everywhere else a person counts on his current commune, in the keys it adds to.)"""
    from collections import defaultdict

    from people.models import Person

    ids = sorted(cid for cid, keys in owners.items() if keys)
    acc = defaultdict(lambda: defaultdict(int))
    if ids:
        adult_cut, elderly_cut = _years_before(on, 18), _years_before(on, 50)
        in_ids = ids_in(ids)  # one array parameter, not 13,000 placeholders
        doses = (PersonVaccination.objects.filter(commune_id__in=in_ids, first_on__lte=on).values("commune_id")
                 .annotate(adult1=Count("pk", filter=Q(birth_date__lte=adult_cut)),
                           elderly_full=Count("pk", filter=Q(birth_date__lte=elderly_cut, primary_done_on__lte=on)),
                           full=Count("pk", filter=Q(primary_done_on__lte=on))).order_by())
        for r in doses:
            for key in owners[r["commune_id"]]:
                a = acc[key]
                a["adult1"] += r["adult1"]
                a["elderly_full"] += r["elderly_full"]
                a["full"] += r["full"]
        high_risk = (
            Person.objects.filter(commune_id__in=in_ids, merged_into__isnull=True)
            .filter(~Q(comorbidities=[]) | Q(is_immunocompromised=True))
            .values("commune_id").annotate(total=Count("id"), full=Count("id", filter=_primary_done_by(on))).order_by()
        )
        for r in high_risk:
            for key in owners[r["commune_id"]]:
                acc[key]["hr_total"] += r["total"]
                acc[key]["hr_full"] += r["full"]
        era_keys = set(era_keys)
        era = {cid: [k for k in owners[cid] if k in era_keys] for cid in ids} if era_keys else {}
        era = {cid: keys for cid, keys in era.items() if keys}
        if era:
            # The people re-homed from these pre-2025 communes: their summary and record sit on a 2025 commune (which
            # adds to 2025 keys only), so they are added here to the pre-2025 keys of the commune of their time.
            era_in = ids_in(sorted(era))
            listed = ",".join(str(int(i)) for i in sorted(era))
            # The summary has no key to the person: joined on his id (one index probe per re-homed person).
            with connection.cursor() as cur:
                cur.execute(f"""
                    SELECT p.former_commune_id,
                           COUNT(CASE WHEN s.birth_date <= %s THEN 1 END),
                           COUNT(CASE WHEN s.birth_date <= %s AND s.primary_done_on <= %s THEN 1 END),
                           COUNT(CASE WHEN s.primary_done_on <= %s THEN 1 END)
                    FROM {PersonVaccination._meta.db_table} s JOIN {Person._meta.db_table} p ON p.id = s.person_id
                    WHERE p.former_commune_id IN ({listed}) AND s.first_on <= %s
                    GROUP BY p.former_commune_id""", [adult_cut, elderly_cut, on, on, on])
                rehomed_doses = cur.fetchall()
            for former, adult1, elderly_full, full in rehomed_doses:
                for key in era[former]:
                    a = acc[key]
                    a["adult1"] += adult1
                    a["elderly_full"] += elderly_full
                    a["full"] += full
            rehomed_high_risk = (
                Person.objects.filter(former_commune_id__in=era_in, merged_into__isnull=True)
                .filter(~Q(comorbidities=[]) | Q(is_immunocompromised=True))
                .values("former_commune_id").annotate(total=Count("id"), full=Count("id", filter=_primary_done_by(on)))
                .order_by()
            )
            for r in rehomed_high_risk:
                for key in era[r["former_commune_id"]]:
                    acc[key]["hr_total"] += r["total"]
                    acc[key]["hr_full"] += r["full"]
        # Denominators: each commune's latest population year not after `on` (else its earliest), its bands summed per
        # key and years of ageing, then aged once to `on` (the 50–64 of 2021 are partly 65+ in 2024, as in the doses).
        rows = population_rows_for_levels(in_ids) if population_rows is None else population_rows
        years: dict[int, set[int]] = defaultdict(set)
        for r in rows:
            years[r["unit_id"]].add(r["year"])
        chosen = {u: max((y for y in ys if y <= on.year), default=min(ys)) for u, ys in years.items()}
        raw: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(BANDS, 0)))  # key → aged years → bands
        for r in rows:
            if chosen[r["unit_id"]] != r["year"]:
                continue
            for key in owners.get(r["unit_id"], ()):
                bands = raw[key][on.year - r["year"]]
                for b, n in r["bands"].items():
                    bands[b] += n
        for key, by_years in raw.items():
            for aged_years, bands in by_years.items():
                for group, n in aged_sums(bands, aged_years).items():
                    acc[key][group] += n

    def pct(num, den):
        return round(100.0 * num / den, 2) if den else None

    out = {}
    for key in {k for keys in owners.values() for k in keys}:
        a = acc[key]
        out[key] = {
            "adult_1dose_pct": pct(a["adult1"], a["adult_pop"]),
            "age50_full_pct": pct(a["elderly_full"], a["elderly_pop"]),
            "high_risk_full_pct": pct(a["hr_full"], a["hr_total"]),
            "full_pct": pct(a["full"], a["pop"]),
        }
    return out


# --- reference data edits ----------------------------------------------------------------------------------------
SCHEDULE_FIELDS = ["valid_from", "valid_to", "age_min", "age_below", "primary_doses", "min_interval_days",
                   "recommended_interval_days", "mixable_with", "usable_as_booster", "source_document", "confirmed",
                   "unconfirmed_fields", "notes"]


@transaction.atomic
def update_schedule(*, by, schedule: Schedule, data: dict, expected_version: int) -> Schedule:
    """RULE_EDITORS correct a schedule (e.g. a flagged interval once the primary text is read); audited."""
    from audit.services import diff
    from core.concurrency import update_versioned

    data = {k: v for k, v in data.items() if k in SCHEDULE_FIELDS}
    changes = diff(schedule, data)
    if not changes:
        return schedule
    if "valid_from" in changes or "valid_to" in changes:  # the rule base's one overlap check (same product and age)
        check_rule_overlap("vaccination_schedule", disease=schedule.disease_id or None,
                           scope={"product_id": schedule.product_id, "age_min": data.get("age_min", schedule.age_min)},
                           valid_from=data.get("valid_from", schedule.valid_from), valid_to=data.get("valid_to", schedule.valid_to),
                           exclude_pk=schedule.pk)
    update_versioned(schedule, expected_version=expected_version, changes={k: new for k, (old, new) in changes.items()})
    forget_rules()  # update() sends no post_save: the rule base's cache is cleared here
    record(actor=by, action="update", obj=schedule, changes=changes)
    return schedule


# --- imports -----------------------------------------------------------------------------------------------------
def start_import(*, by, upload, mode: str = "all"):
    """Save the upload (chunk by chunk, never read whole) and run the import in the background; the batch row carries
    progress for the page, and a heartbeat so that a batch whose worker died is seen (core.batches)."""
    import hashlib
    from pathlib import Path

    from django.conf import settings

    from .models import ImportBatch

    batch = ImportBatch.objects.create(file_name=Path(upload.name).name[:255], created_by=by, mode=mode)
    folder = Path(settings.VAR_DIR) / "vaccination_imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch.pk}{Path(upload.name).suffix.lower()[:8]}"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    ImportBatch.objects.filter(pk=batch.pk).update(file_path=str(path), file_sha256=digest.hexdigest())
    _enqueue_import(batch.pk)
    batch.refresh_from_db()
    return batch


def _enqueue_import(batch_id: int) -> None:
    from core.jobs import enqueue

    enqueue("vaccination.services.run_import_batch", batch_id=batch_id)


def retry_import(batch, *, by) -> bool:
    """Queue a failed dose batch again: its owner only, while its file is kept (audited by core.batches)."""
    from core.batches import claim_retry

    claimed = claim_retry(batch, by=by, queued="pending", reset={
        "done_rows": 0, "total_rows": 0, "heartbeat_at": None, "finished_at": None, "message": "",
        "imported": 0, "skipped_duplicates": 0, "error_count": 0, "errors": []})
    if claimed:
        _enqueue_import(batch.pk)
    return claimed


def mark_stale_imports() -> list[int]:
    """Dose batches whose worker died: failed, with words saying so; their file is kept for a retry."""
    from core.batches import STALE_EN, STALE_VI, fail_stale

    from .models import ImportBatch

    return fail_stale(ImportBatch, queued=ImportBatch.Status.PENDING, fields={"message": f"{STALE_VI} / {STALE_EN}"})


def import_health() -> dict:
    """For /healthz/ (registered as "dose_imports"): counts and batch ids only."""
    from core.batches import batch_health

    from .models import ImportBatch

    return batch_health(ImportBatch, queued=ImportBatch.Status.PENDING)


PHASE_LABELS = {
    "load": "Đọc tệp", "reference": "Chuẩn bị", "parse_and_match": "Đối chiếu người được tiêm",
    "checks": "Kiểm tra lịch tiêm", "insert": "Ghi mũi tiêm", "summary": "Cập nhật tổng hợp", "done": "Hoàn tất",
}
CRASH_MESSAGE = ("Lỗi hệ thống khi nhập; chưa lưu gì. Có thể thử lại. / "
                 "A system error stopped the import; nothing was saved. It can be retried.")


def run_import_batch(*, batch_id: int, file_path: str = "") -> None:
    """The job: claim a pending dose batch, run it with a heartbeat, record the report. A crash is a failed batch
    with words (the trace goes to the log) and its file kept for a retry; never raises for bad input."""
    import logging
    from pathlib import Path

    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from core.batches import start_heartbeat
    from core.imports import FileRejected

    from .bulk import DoseImporter
    from .models import ImportBatch

    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return  # taken by another worker, or not pending any more
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    path = Path(batch.file_path or file_path)  # file_path: jobs queued before batches recorded their file
    state = {"done_rows": 0, "total_rows": 100, "message": ""}

    def progress(phase, pct):
        state.update(done_rows=pct, message=PHASE_LABELS.get(phase, phase))
        # Inside the saving transaction the row would stay locked until commit (and block the heartbeat's own
        # connection): there the heartbeat thread writes the progress instead.
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=batch_id).update(**state)

    def finish(status, keep_file=False, **fields):
        if not keep_file:
            path.unlink(missing_ok=True)  # personal data: keep the upload no longer than the import
            fields["file_path"] = ""
        ImportBatch.objects.filter(pk=batch_id).update(status=status, finished_at=timezone.now(),
                                                       heartbeat_at=timezone.now(), **fields)

    beat = start_heartbeat(ImportBatch, batch_id, lambda: dict(state))
    try:
        importer = DoseImporter(by=batch.created_by, mode=batch.mode, progress=progress, batch=batch)
        result = importer.run(path.read_bytes(), batch.file_name)
    except FileRejected as exc:
        finish(ImportBatch.Status.REJECTED, message=str(exc))
    except Exception:
        logging.getLogger(__name__).exception("dose import batch %s failed", batch_id)
        finish(ImportBatch.Status.FAILED, keep_file=True, message=CRASH_MESSAGE)
    else:
        finish(ImportBatch.Status.DONE if result.saved else ImportBatch.Status.REJECTED,
               imported=result.imported, skipped_duplicates=result.skipped_duplicates, error_count=result.error_count,
               errors=result.errors, done_rows=result.total_rows, total_rows=result.total_rows,
               message=f"{result.total_rows} dòng/rows" + ("" if result.saved else " — không lưu gì / nothing saved"))
        if result.saved:
            try:
                warm_coverage()  # the import moved the figures: compute them here, in the worker, not for a reader
            except DatabaseError:
                logging.getLogger(__name__).exception("warming coverage after dose batch %s failed", batch_id)
    finally:
        if beat:
            beat.stopped.set()


# --- consistency (the references are checked set-based, not row by row) -------------------------------------------
def orphan_report() -> dict:
    """Injections whose person, product, commune, facility or staff reference no longer exists (should be none), and summaries to rebuild for
    merged people. Scheduled nightly; also callable from the shell."""
    with connection.cursor() as cur:
        out = {}
        for key, sql in {
            "person": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN people_person p ON p.id = i.person_id WHERE p.id IS NULL",
            "product": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN vaccination_product p ON p.id = i.product_id WHERE p.id IS NULL",
            "commune": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN geo_administrativeunit u ON u.id = i.commune_id WHERE u.id IS NULL",
            "facility": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN facilities_facility f ON f.id = i.facility_id "
                        "WHERE i.facility_id IS NOT NULL AND f.id IS NULL",
            "vaccinator": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN accounts_user u ON u.id = i.vaccinator_id "
                          "WHERE i.vaccinator_id IS NOT NULL AND u.id IS NULL",
            "overridden_by": "SELECT COUNT(*) FROM vaccination_injection i LEFT JOIN accounts_user u ON u.id = i.overridden_by_id "
                             "WHERE i.overridden_by_id IS NOT NULL AND u.id IS NULL",
        }.items():
            cur.execute(sql)
            out[key] = cur.fetchone()[0]
    return out


def nightly_consistency() -> dict:
    """Rebuild the summaries of merged people (their doses moved to the record that absorbed them) and report orphans."""
    refresh_summary(person_filter_sql="SELECT id FROM people_person WHERE merged_into_id IS NOT NULL "
                                      "UNION SELECT merged_into_id FROM people_person WHERE merged_into_id IS NOT NULL")
    report = orphan_report()
    if any(report.values()):
        record(actor=None, action="other", target_label="vaccination.injection", note=f"orphan references: {report}")
    return report


def warm_coverage(on: dt.date | None = None) -> int:
    """Precompute (into core.dataversion's cache) what the coverage page shows for the installation's province and
    its districts today: the figures, the levels criteria and the 12-month trend. Scheduled just after midnight (a new
    day is a new cache key) and run after a dose import: the first reader of the day no longer waits 7 seconds for a
    province's figures. Returns the number of units warmed."""
    from django.db.models import Q
    from django.utils import timezone

    on = on or timezone.localdate()
    # The installation's province (geo.areas) and, for the page's "before 01/07/2025" switch, the pre-2025
    # provinces it took over with their districts.
    province = areas.installation_province()
    olds = list(areas.history_provinces().values_list("path", flat=True))
    under_old = Q(pk__in=[])
    for path in olds:
        under_old |= Q(path__startswith=path)
    units = ([province] if province is not None and province.path not in olds else []) + list(
        AdministrativeUnit.objects.filter(under_old, level__in=[Level.PROVINCE, Level.DISTRICT]).order_by("path"))
    for unit in units:
        coverage_for_levels(unit, on)
        coverage_trend(unit, on)
    return len(units)


def coverage_trend(unit: AdministrativeUnit, on: dt.date, *, months: int = 12, group: str = "18+") -> list[dict]:
    """Coverage of an age group at the end of each of the last `months` months up to `on`. Cached like `coverage`
    (core.dataversion); computed with the unit's communes once, the denominators once per year (they depend on the
    year only: geo.services.population_at) and one grouped dose count per month."""
    return cached(("coverage_trend", _area_key(unit), on.isoformat(), months, group), versions=COVERAGE_SOURCES,
                  compute=lambda: _coverage_trend(unit, on, months, group))


def _coverage_trend(unit: AdministrativeUnit, on: dt.date, months: int, group: str) -> list[dict]:
    members = {"all": BANDS, "12+": BANDS[2:], "18+": BANDS[3:], "50+": BANDS[4:]}[group]
    y, m = on.year, on.month
    dates = []
    for _ in range(months):
        last = dt.date(y, m, 1) + dt.timedelta(days=32)
        end = min(on, last.replace(day=1) - dt.timedelta(days=1))
        dates.append(end)
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    ids = communes_of(unit)
    era = people_selectors.of_their_time(unit)
    dens: dict[int, int] = {}
    points = []
    for d in reversed(dates):
        if d.year not in dens:
            pop = geo_population_at(unit, d)["bands"]
            dens[d.year] = sum(pop[b] for b in members)
        counts = counts_by_band(ids, d, of_their_time=era)
        point = {"on": d}
        for k in DOSES:
            cell = _cell(sum(counts[b][k] for b in members), dens[d.year])
            # A figure over 100 % is not a plain number: None (a gap in the chart), the cell kept for its flag.
            point[k] = None if cell.get("over") else cell["percentage"]
            point[f"{k}_cell"] = cell
        points.append(point)
    return points


# --- certificates ---------------------------------------------------------------------------------------------------
def issue_certificate(*, by, person):
    """The certificate a new PDF carries: the person's newest valid one, else a new opaque code valid for
    VACCINATION_CERTIFICATE_DAYS (audited)."""
    from django.conf import settings
    from django.utils import timezone

    from .models import Certificate

    today = timezone.localdate()
    cert = (Certificate.objects.filter(person=person, revoked_at__isnull=True, expires_on__gt=today)
            .order_by("-expires_on", "-id").first())
    if cert is not None:
        return cert
    with transaction.atomic():
        cert = Certificate.objects.create(person=person, issued_by=by if getattr(by, "pk", None) else None,
                                          expires_on=today + dt.timedelta(days=settings.VACCINATION_CERTIFICATE_DAYS))
        record(actor=by, action="create", obj=cert, person_id=person.pk, note="vaccination certificate issued")
    return cert


@transaction.atomic
def revoke_certificates(*, by, person) -> int:
    """Every valid certificate of the person stops verifying (a lost or wrongly issued paper); audited."""
    from django.utils import timezone

    from .models import Certificate

    now = timezone.now()
    ids = list(Certificate.objects.select_for_update().filter(person=person, revoked_at__isnull=True).values_list("id", flat=True))
    if not ids:
        raise Invalid("Người này không có giấy chứng nhận nào còn hiệu lực.", "This person has no valid certificate.")
    Certificate.objects.filter(id__in=ids).update(revoked_at=now, revoked_by=by)
    record(actor=by, action="update", obj=person, person_id=person.pk, records=ids,
           changes={"certificates_revoked": [None, len(ids)]}, note="vaccination certificates revoked")
    return len(ids)


def certificate_status(token: str):
    """(status, certificate): "valid", "expired", "revoked" or "unknown" for a verification code."""
    from django.utils import timezone

    from .models import Certificate

    cert = (Certificate.objects.select_related("person").filter(token=token, person__merged_into__isnull=True).first()
            if token and len(token) >= 20 else None)
    if cert is None:
        return "unknown", None
    if cert.revoked_at:
        return "revoked", cert
    if cert.expires_on <= timezone.localdate():
        return "expired", cert
    return "valid", cert


def record_dose(*, by, person, product: Product, given_on: dt.date, dose_number: int | None = None, dose_kind: str = "primary",
                lot: str = "", campaign=None):
    """A dose entered without saying which record it belongs to (the field app): a dose of a catch-up campaign, or of
    a vaccine without schedules, is a routine dose numbered against the person's doses of that disease (what
    catch-up targets count, even when the disease's pack gives its vaccine a schedule); any other is checked against
    the schedule and dose policy in force on its day and goes to the dose registry. Returns (dose, routine)."""
    from .models import Schedule

    if campaign is not None or not Schedule.objects.filter(product=product).exists():  # a registry product has schedules
        return record_routine_dose(by=by, person=person, product=product, given_on=given_on, dose_number=dose_number,
                                   campaign=campaign), True
    if dose_number is None:
        raise Invalid("Thiếu số thứ tự mũi tiêm.", "The dose number is missing.", field="dose_number")
    return record_injection(by=by, person=person, product=product, dose_kind=dose_kind, dose_number=dose_number,
                            given_on=given_on, lot=lot), False


# --- doses against other diseases (measles-containing vaccines, catch-up campaigns) ----------------------------------
@transaction.atomic
def record_routine_dose(*, by, person, product: Product, given_on: dt.date, dose_number: int | None = None, campaign=None):
    """One dose of a vaccine against its product's disease (not the COVID-19 dose registry): numbered after the
    person's earlier doses against that disease unless told."""
    from .models import RoutineDose

    if product.disease_id is None:
        raise Invalid("Vắc xin chưa gắn với bệnh nào.", "The vaccine is not linked to a disease.", field="product")
    if given_on > dt.date.today():
        raise Invalid("Ngày tiêm ở tương lai.", "The date of the dose is in the future.", field="given_on")
    commune = unit_of_person_on(person, given_on, field="given_on", what_vi="Mũi tiêm", what_en="A dose")
    earlier = RoutineDose.objects.filter(person=person, disease_id=product.disease_id).count()
    number = dose_number or earlier + 1
    if RoutineDose.objects.filter(person=person, disease_id=product.disease_id, dose_number=number).exists():
        raise Invalid(f"Mũi {number} đã được ghi nhận.", f"Dose {number} is already recorded.", field="dose_number")
    dose = RoutineDose.objects.create(person=person, disease_id=product.disease_id, product=product, commune_id=commune.pk,
                                      dose_number=number, given_on=given_on, campaign=campaign,
                                      recorded_by=by if getattr(by, "pk", None) else None)
    record(actor=by, action="create", obj=dose, person_id=person.pk,
           changes={"product": (None, product.code), "dose_number": (None, number), "given_on": (None, given_on)})
    return dose
