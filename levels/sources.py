"""Where the criteria values of a unit and week come from.

Each computed value is read through the owning app's `selectors.py` (docs/architecture.md); a value a source
cannot give (no population, no figure) is left missing with an explanation, and values entered or imported per
unit (CriteriaEntry) fill it. Entered values always take precedence over computed ones for the same key (they are
the Department of Health's correction).

* population: geo.PopulationEstimate, summed over the communes under a unit's path (districts and the province
  are assessed on their aggregated population, never as the worst commune).
* criterion 1: cases.selectors.criteria_counts_by_commune: community cases confirmed in the window; patients on
  oxygen and deaths counted for all residents' cases. Rates per 100,000 per week (a 14-day window is divided by 2).
* criterion 2: vaccination.selectors.coverage_for_levels_rollup (coverage_for_levels_many's figures, summed over
  the communes already mapped to the units).
* criterion 3: facilities.selectors.response_teams_by_commune (mobile medical stations, care teams);
  facilities.selectors.beds_by_facility_place minus cases.selectors.open_admissions_by_facility_place for free
  beds (district) and ICU beds (province).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from cases import selectors as cases_selectors
from core.sqlids import ids_in
from facilities import selectors as facilities_selectors
from geo import areas
from vaccination import selectors as vaccination_selectors

ADULT_BANDS = ("18-49", "50-64", "65+")
ELDERLY_BANDS = ("50-64", "65+")
COVERAGE_KEYS = ("adult_1dose_pct", "age50_full_pct", "high_risk_full_pct", "full_pct")


@dataclass
class UnitData:
    unit: object
    population: int | None = None
    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)  # key → {"vi", "en"}
    notes: dict = field(default_factory=dict)  # key → {"vi", "en"} why a value is missing


def _window(week_start: dt.date, window_days: int) -> tuple[dt.date, dt.date]:
    end = week_start + dt.timedelta(days=6)
    return end - dt.timedelta(days=window_days - 1), end


@lru_cache(maxsize=65536)
def _ancestor_paths(path: str) -> tuple[str, ...]:
    """"/62/608/23281/" → ("/62/", "/62/608/", "/62/608/23281/")."""
    codes = path.strip("/").split("/")
    return tuple("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))


def _per_100k_week(count: int, population: int, window_days: int) -> float:
    return round(count * 100_000 / population * 7 / window_days, 2)


def collect(units: list, week_start: dt.date, *, window_days: int = 7) -> dict[int, UnitData]:
    """Criteria values for each unit (communes, districts, the province) for the week starting `week_start`.

    Set-based whatever the number of units (the whole country's 3,321 communes in one run): the communes under the
    units are mapped once to the units they roll up into, each source is read in one grouped query per commune
    (never per unit), and the figures are summed per unit in one pass."""
    from geo.models import AdministrativeUnit

    from .models import CriteriaEntry

    start, end = _window(week_start, window_days)
    targets = {u.path: UnitData(u) for u in units}
    roots = sorted({p for p in targets if not any(a in targets for a in _ancestor_paths(p)[:-1])})
    many = len(roots) > 20
    if many:
        # Many scattered units (e.g. every commune of the country): read their provinces, keep what rolls up.
        roots = sorted({_ancestor_paths(p)[0] for p in roots})
    # geo.areas: a 2025 unit also covers the pre-2025 communes it absorbed (their history of its weeks).
    under = areas.under_paths_q(roots, counting=True)
    new_roots = any(r.startswith("/n") for r in roots)
    if many:
        # Provinces only (under_paths_q: their paths, and for a 2025 province the pre-2025 provinces merged into it,
        # whole): every commune read once and kept by its province, rather than dozens of path prefixes tried on
        # each unit, twice (the communes, then their successors).
        keep = set(roots) | {o for olds in areas.old_province_paths_many([r for r in roots if r.startswith("/n")]).values()
                             for o in olds}
        all_communes = dict(AdministrativeUnit.objects.filter(level="commune").values_list("id", "path"))
        communes = {cid: p for cid, p in all_communes.items() if _ancestor_paths(p)[0] in keep}
        successors = areas.default_successor_paths() if new_roots else {}
    else:
        commune_qs = AdministrativeUnit.objects.filter(under, level="commune")
        communes = dict(commune_qs.values_list("id", "path"))
        successors = (areas.default_successor_paths(commune_qs.filter(structure=areas.PRE_2025).values("id"))
                      if new_roots else {})
    # Communes roll up into every target that is their ancestor; a pre-2025 commune also into the 2025 targets above
    # its default successor (geo.areas: a divided commune once).
    up: dict[int, tuple[str, ...]] = {cid: _ancestor_paths(p) for cid, p in communes.items()}
    for cid, new_path in successors.items():
        if cid in up:
            up[cid] = up[cid] + _ancestor_paths(new_path)
    rollup: dict[int, list[UnitData]] = {cid: [targets[a] for a in paths if a in targets] for cid, paths in up.items()}
    # The ids travel as one array (core.sqlids), not as the subquery of paths they came from: its dozens of
    # LIKE prefixes were planned again by every source's query. When the run covers every commune (the country),
    # as "every commune" instead: PostgreSQL, knowing their number, hashes them and reads each table once, where
    # for an array it guesses 200 ids and probes an index 13,000 times.
    if many and len(communes) == len(all_communes):
        ids = AdministrativeUnit.objects.filter(level="commune").values("id")
    else:
        ids = ids_in(communes)

    # Population: the latest year not after the week, one grouped query (total, adults, elderly per commune and year).
    # Incidence and beds per 100,000 divide by that year's total as imported, not aged: the cohort ageing of the
    # coverage denominators adds births and no deaths (coverage understated, the safe side), which here would
    # understate incidence and so the level. (Coverage, criterion 2, is aged to the week by vaccination.)
    # (The coverage denominators' rows: vaccination divides by the same rows, read once.)
    rows = vaccination_selectors.population_rows_for_levels(ids)
    years = {r["year"] for r in rows}
    year = max((y for y in years if y <= end.year), default=max(years, default=None))
    # any ancestor path → total, adults, elderly; per structure of the estimates' commune, so that a 2025 unit with
    # estimates of its own does not add those of the pre-2025 communes it absorbed (geo.services.population's rule).
    by_structure = {s: defaultdict(lambda: [0, 0, 0]) for s in areas.STRUCTURES}
    for r in rows:
        if r["year"] != year:
            continue
        path = communes.get(r["unit_id"])
        structure = areas.FROM_2025 if path and path.startswith("/n") else areas.PRE_2025
        n, adult, elderly = r["n"] or 0, r["adult"] or 0, r["elderly"] or 0
        for a in up.get(r["unit_id"], ()):
            acc = by_structure[structure][a]
            acc[0] += n
            acc[1] += adult
            acc[2] += elderly
    pop = defaultdict(lambda: [0, 0, 0])
    for structure in (areas.PRE_2025, areas.FROM_2025):  # 2025 estimates replace the absorbed ones where present
        for a, acc in by_structure[structure].items():
            if structure == areas.PRE_2025 or acc[0]:
                pop[a] = acc
    for t in targets.values():
        total = pop[t.unit.path][0]
        if total:
            t.population = total
        else:
            t.notes["population"] = {
                "vi": f"Chưa có dân số của {t.unit.name} (geo: ước tính dân số theo xã).",
                "en": f"No population for {t.unit.name} (geo: population estimates per commune).",
            }

    _cases(targets, rollup, ids, start, end, window_days)
    _coverage(targets, rollup, end, rows)
    _capacity(targets, rollup, ids, roots, end, pop)
    _entries(targets, CriteriaEntry, week_start)
    return {t.unit.id: t for t in targets.values()}


def _cases(targets, rollup, ids, start, end, window_days):
    by_commune = cases_selectors.criteria_counts_by_commune(ids, start, end)
    counts = {k: defaultdict(int) for k in ("cases", "oxygen", "deaths")}
    for key, source in (("cases", "community"), ("oxygen", "oxygen"), ("deaths", "deaths")):
        for commune_id, n in by_commune[source].items():
            for t in rollup.get(commune_id, ()):
                counts[key][t.unit.path] += n
    span = f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"
    for t in targets.values():
        for key, ckey, vi, en in (
            ("new_cases_per_100k_week", "cases", "ca mắc mới tại cộng đồng", "new community cases"),
            ("oxygen_per_100k_week", "oxygen", "người bệnh thở oxy", "patients on oxygen"),
            ("deaths_per_100k_week", "deaths", "ca tử vong", "deaths"),
        ):
            n = counts[ckey][t.unit.path]
            if not t.population:
                t.notes[key] = t.notes["population"]
                continue
            t.values[key] = _per_100k_week(n, t.population, window_days)
            t.origins[key] = {
                "vi": f"Ca bệnh: {n} {vi} ({span}), dân số {t.population:,}".replace(f"{t.population:,}", f"{t.population:,}".replace(",", ".")),
                "en": f"Cases: {n} {en} ({span}), population {t.population:,}",
                "count": n,
            }


def _coverage(targets, rollup, on, population_rows):
    # One pass for all units on the communes already mapped to them (never a query set per unit): vaccination sums
    # numerators and denominators per unit (coverage_for_levels_many's figures).
    owners = {cid: [t.unit.path for t in ts] for cid, ts in rollup.items() if ts}
    # A pre-2025 unit counts the people of its time, re-homed since or not (docs/geo.md, re-homing).
    era_keys = {t.unit.path for t in targets.values() if not t.unit.is_post_2025}
    by_path = (vaccination_selectors.coverage_for_levels_rollup(owners, on, population_rows, era_keys)
               if owners else {})
    origin = _coverage_origin(on)
    for t in targets.values():
        _set_coverage(t, by_path.get(t.unit.path, {}), on, origin)


def _set_coverage(t, cov, on, origin=None):
    origin = origin or _coverage_origin(on)
    for key in COVERAGE_KEYS:
        if cov.get(key) is not None:
            t.values[key] = round(float(cov[key]), 2)
            t.origins[key] = origin if cov[key] <= 100 else _over_100_origin(origin)
        elif key not in t.notes:
            t.notes[key] = {"vi": "Phân hệ tiêm chủng không có số liệu này.", "en": "The vaccination capability has no such figure."}


def _over_100_origin(origin) -> dict:
    # A coverage over 100 % is never a plain number: its origin says why (more vaccinated than the population).
    return {"vi": origin["vi"] + "; vượt 100 %: số người đã tiêm nhiều hơn dân số ước tính",
            "en": origin["en"] + "; over 100 %: more people vaccinated than the estimated population", "over": True}


def _coverage_origin(on) -> dict:
    # One dict shared by every unit of the run (written out as JSON per row; never mutated).
    return {"vi": f"Tiêm chủng: số liệu đến ngày {on:%d/%m/%Y}", "en": f"Vaccination: data up to {on:%d/%m/%Y}"}


def _capacity(targets, rollup, ids, roots, on, pop):
    have = facilities_selectors.response_teams_by_commune(ids)
    ready = defaultdict(lambda: [0, 0, 0])  # communes, with mobile station, with care team
    for cid, ts in rollup.items():
        teams = have.get(cid, {})
        for t in ts:
            acc = ready[t.unit.path]
            acc[0] += 1
            acc[1] += bool(teams.get("mobile_station"))
            acc[2] += bool(teams.get("care_team"))
    for t in targets.values():
        total, mobile, care = ready[t.unit.path]
        if not total:
            continue
        t.values["mobile_stations_ready"] = mobile == total
        t.origins["mobile_stations_ready"] = {"vi": f"Tổ/đội: {mobile}/{total} xã có trạm y tế lưu động",
                                              "en": f"Teams: {mobile}/{total} communes have a mobile medical station"}
        t.values["home_care_ready"] = care == total
        t.origins["home_care_ready"] = {"vi": f"Tổ/đội: {care}/{total} xã có tổ chăm sóc F0",
                                        "en": f"Teams: {care}/{total} communes have an F0 care team"}

    # Beds are counted where the facility is; a commune is judged on its district's beds (218: district level).
    totals = defaultdict(lambda: [0, 0])  # district/province path → covid beds, icu beds
    for r in facilities_selectors.beds_by_facility_place(roots):
        for a in _ancestor_paths(r["facility__unit__path"])[:2]:
            totals[a][1 if r["bed_type"] == facilities_selectors.ICU else 0] += r["n"]
    at = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    for r in cases_selectors.open_admissions_by_facility_place(roots, at):
        for a in _ancestor_paths(r["facility__unit__path"])[:2]:
            if r["bed_type"] != facilities_selectors.ICU:  # ICU counts capacity; ordinary and oxygen beds count free beds
                totals[a][0] -= r["n"]
    for t in targets.values():
        anc = list(_ancestor_paths(t.unit.path))
        district = anc[1] if len(anc) > 1 else anc[0]
        province = anc[0]
        if district in totals and pop[district][0]:
            t.values["free_beds_per_100k"] = round(totals[district][0] * 100_000 / pop[district][0], 2)
            t.origins["free_beds_per_100k"] = {
                "vi": f"Cơ sở điều trị: {totals[district][0]} giường trống trên địa bàn huyện",
                "en": f"Facilities: {totals[district][0]} free beds in the district"}
        if province in totals and pop[province][0]:
            t.values["icu_beds_per_100k"] = round(totals[province][1] * 100_000 / pop[province][0], 2)
            t.origins["icu_beds_per_100k"] = {"vi": f"Cơ sở điều trị: {totals[province][1]} giường ICU của tỉnh",
                                              "en": f"Facilities: {totals[province][1]} ICU beds in the province"}


def _entries(targets, CriteriaEntry, week_start):
    by_id = {t.unit.id: t for t in targets.values()}
    entries = CriteriaEntry.objects.filter(week_start=week_start).select_related("entered_by")
    if len(by_id) <= 500:  # a province's run names its units; the country's keeps the week's few entries it needs
        entries = entries.filter(unit_id__in=list(by_id))
    for e in entries:
        t = by_id.get(e.unit_id)
        if t is None:
            continue
        how_vi = "nhập từ tệp" if e.origin == "imported" else "nhập tay"
        how_en = "imported" if e.origin == "imported" else "entered"
        who = str(e.entered_by) if e.entered_by else ""
        for key, value in e.values.items():
            if value is None or value == "":
                continue
            t.values[key] = value
            t.origins[key] = {"vi": f"Số liệu {how_vi} {who} ({e.updated_at:%d/%m/%Y})".replace("  ", " "),
                              "en": f"Value {how_en} by {who or '—'} ({e.updated_at:%d/%m/%Y})"}
            t.notes.pop(key, None)
