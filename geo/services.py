"""Write functions and queries of the geo app: villages, population denominators, boundaries, map features.

Views, API, importers, commands and other apps call these; none of them writes geo tables directly.
"""
from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache

from django.db import transaction
from django.db.models import Sum

from audit.services import record
from core.errors import Invalid
from core.text import fold

from . import areas
from .models import AGE_BAND_BOUNDS, AdministrativeUnit, Boundary, Level, PopulationEstimate, Structure, Village

AGE_BANDS = list(AGE_BAND_BOUNDS)


# --- villages ------------------------------------------------------------------------------------------
def check_unit_in_jurisdiction(user, unit: AdministrativeUnit) -> None:
    """Raise Invalid when `unit` is outside the user's jurisdiction (scoping rules of core.scoping)."""
    from core.scoping import visible_units

    if not visible_units(user).filter(pk=unit.pk).exists():
        raise Invalid("Đơn vị ngoài địa bàn của bạn.", "The unit is outside your jurisdiction.")


@transaction.atomic
def create_village(*, by, commune: AdministrativeUnit, name: str, kind: str = Village.Kind.THON, code: str = "") -> Village:
    if commune.level != Level.COMMUNE:
        raise Invalid("Thôn/làng phải thuộc một xã/phường/thị trấn.", "A village must belong to a commune.")
    check_unit_in_jurisdiction(by, commune)
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("Tên thôn là bắt buộc.", "The village name is required.")
    if kind not in Village.Kind.values:
        raise Invalid(f"Loại thôn không hợp lệ: {kind}", f"Invalid village kind: {kind}")
    if Village.objects.filter(commune=commune, name_folded=fold(name)).exists():
        raise Invalid(f"Xã đã có thôn “{name}”.", f"The commune already has a village named “{name}”.")
    village = Village.objects.create(commune=commune, name=name, kind=kind, code=code)
    record(actor=by, action="create", obj=village)
    return village


# --- population -----------------------------------------------------------------------------------------
# What lies under a unit or a region is decided by geo.areas (one place for scoping, population, coverage, levels).
def _population_rows(area, year: int | None, age_bands=None, sex=None):
    """Estimates under `area` for counting (geo.areas.under_q, counting=True): a 2025 unit also gets the pre-2025
    communes whose default successor it is, so a divided commune's estimates are counted once."""
    qs = PopulationEstimate.objects.filter(areas.under_q(area, "unit", counting=True))
    if year is not None:
        qs = qs.filter(year=year)
    if age_bands:
        qs = qs.filter(age_band__in=list(age_bands))
    if sex:
        qs = qs.filter(sex=sex)
    return qs


def _on_new_structure(area) -> bool:
    return areas.is_region(area) or area.is_post_2025


def _pick_structure(area, by_structure: dict):
    """Estimates recorded on the 2025 units when a 2025 area (or a region) has any, else those of the pre-2025
    communes it absorbed: never both, so nothing counts twice."""
    if _on_new_structure(area) and by_structure.get(Structure.FROM_2025):
        return by_structure[Structure.FROM_2025]
    return by_structure.get(Structure.PRE_2025) or {}


def population(unit, year: int, age_bands=None, sex: str | None = None) -> int:
    """Total population of `unit` (or a health region) and everything below it, in ONE query (communes roll up by
    path prefix).

    For a 2025 unit, estimates recorded on its own communes are used when there are any; otherwise those of
    the pre-2025 communes that became part of it (a divided commune counts in the unit that took its name).
    """
    totals = dict(_population_rows(unit, year, age_bands, sex).values_list("unit__structure").annotate(n=Sum("population")))
    if _on_new_structure(unit) and totals.get(Structure.FROM_2025):
        return totals[Structure.FROM_2025]
    return totals.get(Structure.PRE_2025) or 0


def population_year_for(unit, on) -> int | None:
    """The estimates' year used for a date: the latest year up to `on`'s year, else the earliest there is."""
    years = sorted(population_years(unit))
    if not years:
        return None
    return max((y for y in years if y <= on.year), default=years[0])


# Cohort ageing: people spread evenly over the ages of a band (65+ over 65–89), a year's births are the base year's
# yearly 0–4 count, nobody moves and nobody leaves the open band 65+ (deaths are not modelled: like a registry that
# keeps everyone, the denominator is never too small, so coverage is understated rather than overstated). An
# imported table of the year itself always wins (no ageing then).
OLDEST_AGE = 89


def _band_width(band: str) -> tuple[int, int]:
    lo, hi = AGE_BAND_BOUNDS[band]
    return lo, min(hi, OLDEST_AGE)


def age_cohorts(bands: dict[str, int], years: int) -> dict[str, int]:
    """Band populations `years` later (negative: earlier) under the assumptions above: the people counted in 50–64
    in 2019 are partly 65+ by 2023, as in the registry; the youngest of a later year were born after the base year
    (an earlier year drops those not born yet)."""
    if not years:
        return dict(bands)
    weights = cohort_weights(years)
    return {band: round(sum(w * (bands.get(src) or 0) for src, w in weights[band].items())) for band in AGE_BANDS}


@lru_cache(maxsize=256)
def cohort_weights(years: int) -> dict[str, dict[str, float]]:
    """The ageing of `age_cohorts` as weights: {band `years` later: {band of the base year: share of its people}}.
    Ageing is linear, so bands summed over many communes are aged once (the levels of a whole country)."""
    out: dict[str, dict[str, float]] = {band: defaultdict(float) for band in AGE_BANDS}
    lo0, hi0 = _band_width(AGE_BANDS[0])
    for src in AGE_BANDS:
        lo, hi = _band_width(src)
        for a in range(lo, hi + 1):
            b = min(a + years, OLDEST_AGE)  # the open band keeps its people
            if b >= 0:
                out[_band_of(b)][src] += 1 / (hi - lo + 1)
    for b in range(0, min(years, OLDEST_AGE + 1)):  # born after the base year: a year's births = the base 0–4 / 5
        out[_band_of(b)][AGE_BANDS[0]] += 1 / (hi0 - lo0 + 1)
    return {band: dict(w) for band, w in out.items()}


def _band_of(age: int) -> str:
    return next(band for band in AGE_BANDS if _band_width(band)[0] <= age <= _band_width(band)[1])


def population_at(unit, on) -> dict:
    """Denominators of `unit` (or a region) by age band at the date `on`: the estimates of `on`'s year when imported,
    else those of the nearest earlier year (the earliest if none) aged by cohort to `on` (age_cohorts).

    Returns {"bands": {band: n}, "year": estimates' year or None, "aged_years": years of ageing applied (0: the
    table of that year), "source_bands": the estimates as imported}. Two queries.
    """
    year = population_year_for(unit, on)
    raw = dict.fromkeys(AGE_BANDS, 0)
    if year is None:
        return {"bands": raw, "year": None, "aged_years": 0, "source_bands": raw}
    by_structure: dict[str, dict[str, int]] = defaultdict(dict)
    rows = _population_rows(unit, year).values_list("unit__structure", "age_band").annotate(n=Sum("population"))
    for structure, band, n in rows:
        by_structure[structure][band] = n
    for band, n in _pick_structure(unit, by_structure).items():
        raw[band] = n or 0
    years = on.year - year
    return {"bands": age_cohorts(raw, years), "year": year, "aged_years": years, "source_bands": raw}


def population_by_band(unit, on) -> tuple[dict[str, int], int | None]:
    """({age band: population at `on`}, year of the estimates) of `unit` (or a region): `population_at`.

    The denominators of vaccination coverage and campaigns (vaccination.services.population), and of the
    population pages: one function, so they agree.
    """
    at = population_at(unit, on)
    return at["bands"], at["year"]


def population_table(unit: AdministrativeUnit, year: int) -> dict:
    """Population of `unit` and of each child by sex and age band, from ONE query (two for a 2025 unit whose own
    communes have no estimates: those of the pre-2025 communes it absorbed, each in its default successor).

    Returns {"year", "bands", "rows": [{"unit", "total", "M", "F", "bands": {band: n}}], "total": row of `unit`}.
    """
    children = areas.children_for_rollup(unit)
    rows = list(
        PopulationEstimate.objects.filter(unit__path__startswith=unit.path, year=year)
        .values_list("unit__path", "sex", "age_band")
        .annotate(n=Sum("population"))
    )
    if unit.is_post_2025 and not rows:
        # No estimates on the 2025 units yet: show those of the pre-2025 communes they absorbed.
        rows = list(
            PopulationEstimate.objects.filter(
                year=year, unit__successor_links__is_default=True, unit__successor_links__new_unit__path__startswith=unit.path,
            ).values_list("unit__successor_links__new_unit__path", "sex", "age_band").annotate(n=Sum("population"))
        )
    prefixes = [(c.path, c.pk) for c in children]
    per_child: dict[int, dict] = defaultdict(lambda: {"M": 0, "F": 0, "bands": dict.fromkeys(AGE_BANDS, 0)})
    total = {"M": 0, "F": 0, "bands": dict.fromkeys(AGE_BANDS, 0)}
    for path, sex, band, n in rows:
        targets = [total]
        for prefix, pk in prefixes:
            if path.startswith(prefix):
                targets.append(per_child[pk])
                break
        for t in targets:
            t[sex] = t.get(sex, 0) + n
            t["bands"][band] = t["bands"].get(band, 0) + n

    def row(u, data):
        return {"unit": u, "M": data["M"], "F": data["F"], "total": data["M"] + data["F"],
                "bands": [data["bands"][b] for b in AGE_BANDS]}

    return {
        "year": year,
        "bands": AGE_BANDS,
        "rows": [row(c, per_child[c.pk]) for c in children],
        "total": row(unit, total),
    }


def population_years(unit=None) -> list[int]:
    """Years with estimates (newest first), under `unit` (or a region) when given."""
    qs = PopulationEstimate.objects.all()
    if unit is not None:
        qs = qs.filter(areas.under_q(unit, "unit", counting=True))
    return sorted(set(qs.values_list("year", flat=True).distinct()), reverse=True)


def population_by_unit(units, year: int) -> dict[int, int]:
    """{unit id: total population} for several units (e.g. the features of a map), in two queries.

    A 2025 unit counts the estimates of its own communes when it has any, else those of the pre-2025 communes whose
    default successor lies in it (geo.areas: each counted once), as `population()` does."""
    units = list(units)
    if not units:
        return {}
    rows = list(PopulationEstimate.objects.filter(areas.under_paths_q([u.path for u in units], "unit", counting=True), year=year)
                .values_list("unit_id", "unit__path", "unit__structure").annotate(n=Sum("population")))
    successor = {}
    if any(u.is_post_2025 for u in units):
        successor = areas.default_successor_paths([uid for uid, _p, s, _n in rows if s == Structure.PRE_2025])
    totals = {u.pk: {Structure.PRE_2025: 0, Structure.FROM_2025: 0} for u in units}
    by_len = sorted(units, key=lambda u: -len(u.path))
    for uid, path, structure, n in rows:
        candidates = [path] + ([successor[uid]] if uid in successor else [])
        for u in by_len:
            if any(c.startswith(u.path) for c in candidates):
                totals[u.pk][structure] += n
                break
    return {u.pk: (totals[u.pk][Structure.FROM_2025] if u.is_post_2025 and totals[u.pk][Structure.FROM_2025]
                   else totals[u.pk][Structure.PRE_2025]) for u in units}


# --- boundaries -----------------------------------------------------------------------------------------
CODE_PROPERTIES = ("ma_xa", "ma_huyen", "ma_tinh")
LEVEL_OF_PROPERTY = {"ma_xa": Level.COMMUNE, "ma_huyen": Level.DISTRICT, "ma_tinh": Level.PROVINCE}


def import_boundaries(data: bytes | str | dict, *, by=None, code_property: str | None = None,
                      structure: str = Structure.PRE_2025, source: str = "") -> dict:
    """Load the polygons of a GeoJSON FeatureCollection whose features carry GSO codes.

    A feature's unit is found by the most specific of `ma_xa` / `ma_huyen` / `ma_tinh` present, or by
    `code_property` when given (matched against units of any level of `structure`). Idempotent: a unit's
    boundary is replaced. Returns {"loaded", "unmatched": [codes], "unmatched_features": [(feature number, code)],
    "skipped": n, "features": n}.
    """
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError:
            raise Invalid("Tệp không phải GeoJSON hợp lệ.", "The file is not valid GeoJSON.")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid("Tệp GeoJSON phải là một FeatureCollection.", "The GeoJSON file must be a FeatureCollection.")
    wanted: list[tuple[int, str | None, str, dict]] = []  # (feature number, level or None, code, geometry)
    skipped = 0
    features = data.get("features") or []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            skipped += 1
            continue
        if code_property:
            code = props.get(code_property)
            level = None
        else:
            prop = next((p for p in CODE_PROPERTIES if props.get(p) not in (None, "")), None)
            if prop is None:
                skipped += 1
                continue
            code, level = props[prop], LEVEL_OF_PROPERTY[prop]
        if code in (None, ""):
            skipped += 1
            continue
        wanted.append((number, level, str(code).strip(), geometry))
    if not wanted:
        raise Invalid(
            "Không có đối tượng nào mang mã đơn vị hành chính (ma_xa, ma_huyen, ma_tinh).",
            "No feature carries an administrative unit code (ma_xa, ma_huyen, ma_tinh).",
        )
    units = AdministrativeUnit.objects.filter(structure=structure, code__in={c for _, _, c, _ in wanted})
    by_key: dict[tuple, AdministrativeUnit] = {}
    for u in units:
        by_key[(u.level, u.code)] = u
        by_key.setdefault((None, u.code), u)
    objs, unmatched = {}, []
    for number, level, code, geometry in wanted:
        unit = by_key.get((level, code))
        if unit is None:
            unmatched.append((number, code))
            continue
        objs[unit.pk] = Boundary(unit=unit, geometry=geometry, source=source[:200])
    with transaction.atomic():
        Boundary.objects.bulk_create(
            list(objs.values()), batch_size=500, update_conflicts=True, unique_fields=["unit"],
            update_fields=["geometry", "source", "imported_at"],
        )
        record(actor=by, action="import", target_label="geo.boundary",
               note=f"{len(objs)} boundaries loaded from {source or 'GeoJSON'}; {len(unmatched)} unmatched")
    return {"loaded": len(objs), "unmatched": [code for _, code in unmatched], "unmatched_features": unmatched,
            "skipped": skipped, "features": len(features)}


def feature_collection(units, values: dict | None = None, *, extra: dict | None = None) -> dict:
    """GeoJSON of `units` for maps: the imported polygon when there is one, else a Point at the centroid.

    `values` ({unit id: number}) becomes each feature's `value` property (for choropleths); `extra`
    ({unit id: {..}}) adds properties. Two queries whatever the number of units.
    """
    units = list(units)
    boundaries = dict(Boundary.objects.filter(unit__in=units).values_list("unit_id", "geometry"))
    features = []
    for u in units:
        geometry = boundaries.get(u.pk)
        if geometry is None:
            if u.latitude is None or u.longitude is None:
                continue
            geometry = {"type": "Point", "coordinates": [u.longitude, u.latitude]}
        props = {"id": u.pk, "code": u.code, "name": u.name, "level": u.level,
                 "value": (values or {}).get(u.pk)}
        props.update((extra or {}).get(u.pk, {}))
        features.append({"type": "Feature", "id": u.pk, "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


# --- history across the 2025 reorganisation -------------------------------------------------------------
def successors_of(units) -> dict[int, list[AdministrativeUnit]]:
    """{pre-2025 unit id: [2025 units]} in one query (default successor first)."""
    from .models import UnitCorrespondence

    out: dict[int, list] = defaultdict(list)
    links = UnitCorrespondence.objects.filter(old_unit__in=list(units)).select_related("new_unit").order_by("-is_default", "new_unit__name")
    for link in links:
        out[link.old_unit_id].append(link.new_unit)
    return out


def predecessors_of(units) -> dict[int, list[AdministrativeUnit]]:
    """{2025 unit id: [pre-2025 communes that became part of it]} in one query."""
    from .models import UnitCorrespondence

    out: dict[int, list] = defaultdict(list)
    links = UnitCorrespondence.objects.filter(new_unit__in=list(units)).select_related("old_unit__parent").order_by("old_unit__path")
    for link in links:
        out[link.new_unit_id].append(link.old_unit)
    return out


# --- health regions -------------------------------------------------------------------------------------------
# Regions are a body of the 2025 structure: they group 2025 communes of one province. Every write locks that
# province's row first, so two concurrent edits cannot both put one commune into two regions (the check below runs
# after the lock), and carries the version it was read at (core.concurrency): never a silent overwrite.
def region_province() -> AdministrativeUnit | None:
    """The 2025 province whose communes the installation's regions group: its own province on a 2025 installation;
    on a pre-2025 one, the 2025 province that took it over (the first by code when it was divided)."""
    if areas.installation_structure() == areas.FROM_2025:
        return areas.installation_province()
    return areas.provinces_on(areas.REORGANISED_ON).order_by("code").first()


def _lock_province(province: AdministrativeUnit) -> None:
    AdministrativeUnit.objects.select_for_update().filter(pk=province.pk).first()


def _clean_region(*, province: AdministrativeUnit, name: str, communes, exclude_pk=None) -> tuple[str, list]:
    from .models import HealthRegion

    if province is None or province.level != Level.PROVINCE:
        raise Invalid("Khu vực y tế phải thuộc một tỉnh/thành phố.", "A health region belongs to a province.", "province")
    if not province.is_post_2025:
        raise Invalid("Khu vực y tế gồm các xã/phường theo địa giới hiện hành (từ 01/07/2025), không theo tỉnh cũ.",
                      "A health region groups communes of the current map (since 01/07/2025), not of a former province.",
                      "province")
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("Tên khu vực là bắt buộc.", "The region's name is required.", "name")
    communes = list(communes)
    if not communes:
        raise Invalid("Chọn ít nhất một xã/phường.", "Choose at least one commune.", "communes")
    old = [c.name for c in communes if c.structure != Structure.FROM_2025]
    if old:
        raise Invalid(f"Là xã/phường trước 01/07/2025, không còn tồn tại: {', '.join(old)}. Khu vực y tế gồm các xã/phường "
                      f"hiện hành (lịch sử của xã cũ đi theo xã kế thừa).",
                      f"Pre-2025 communes that no longer exist: {', '.join(old)}. A health region groups current communes "
                      f"(a former commune's history follows its successor).", "communes")
    outside = [c.name for c in communes if c.level != Level.COMMUNE or not c.path.startswith(province.path)]
    if outside:
        raise Invalid(f"Không thuộc {province.name}: {', '.join(outside)}.", f"Not in {province.name}: {', '.join(outside)}.",
                      "communes")
    links = HealthRegion.communes.through.objects.filter(administrativeunit__in=communes)
    if exclude_pk:
        links = links.exclude(healthregion_id=exclude_pk)
    taken = list(links.values_list("administrativeunit__name", "healthregion__name").order_by("administrativeunit__name"))
    if taken:
        vi = "; ".join(f"{c} đã thuộc khu vực “{r}”" for c, r in taken)
        en = "; ".join(f"{c} already belongs to the region “{r}”" for c, r in taken)
        raise Invalid(f"{vi} (bỏ xã khỏi khu vực đó trước).", f"{en} (remove it from that region first).", "communes")
    qs = HealthRegion.objects.filter(province=province, name__iexact=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Invalid(f"Tỉnh đã có khu vực “{name}”.", f"The province already has a region named “{name}”.", "name")
    return name, communes


def _check_region_editor(by) -> None:
    from .roles import REGION_EDITORS

    if by is not None and not by.has_role(REGION_EDITORS):
        raise Invalid("Chỉ Sở Y tế định nghĩa khu vực y tế.", "Only the Department of Health defines health regions.")


def _forget_region_cache(region) -> None:
    # What the region covers is cached on the instance (commune paths, former districts): stale after a change.
    region._commune_paths = None
    region._district_ids = None


@transaction.atomic
def create_region(*, by, province: AdministrativeUnit, name: str, communes, centre_name: str = "", note: str = ""):
    """A health region of `province` over `communes` (each commune in at most one region), audited."""
    from .models import HealthRegion

    _check_region_editor(by)
    if province is not None:
        _lock_province(province)
    name, communes = _clean_region(province=province, name=name, communes=communes)
    region = HealthRegion.objects.create(province=province, name=name, centre_name=centre_name.strip()[:200], note=note)
    region.communes.set(communes)
    codes = ",".join(sorted(c.code for c in communes))
    record(actor=by, action="create", obj=region, changes={"name": (None, name), "communes": (None, codes)},
           note=f"{len(communes)} communes")
    return region


@transaction.atomic
def update_region(*, by, region, name: str, communes, centre_name: str = "", note: str = "",
                  expected_version: int | None = None):
    """Rename a region or change its communes, audited (the communes before and after are in the audit row).

    `expected_version`: the version the editor read (the page and the API send it); another edit saved since →
    core.concurrency.EditConflict, nothing written. None only for internal callers (the demo)."""
    from core.concurrency import update_versioned

    from .models import HealthRegion

    _check_region_editor(by)
    _lock_province(region.province)
    current = HealthRegion.objects.get(pk=region.pk)
    version = current.version if expected_version is None else expected_version
    name, communes = _clean_region(province=region.province, name=name, communes=communes, exclude_pk=region.pk)
    before = ",".join(sorted(region.communes.values_list("code", flat=True)))
    after = ",".join(sorted(c.code for c in communes))
    changes = {"name": name, "centre_name": centre_name.strip()[:200], "note": note}
    audit = {f: (getattr(current, f), v) for f, v in changes.items() if getattr(current, f) != v}
    if before != after:
        audit["communes"] = (before, after)
    update_versioned(region, expected_version=version, changes=changes)
    region.communes.set(communes)
    _forget_region_cache(region)
    record(actor=by, action="update", obj=region, changes=audit, note=f"communes {before} → {after}")
    return region


@transaction.atomic
def delete_region(*, by, region, expected_version: int | None = None) -> None:
    """Delete a region nobody works in. A region that is still some user's jurisdiction is refused (with who), never
    deleted under them: their accounts would be left with no area (accounts.services assigns them elsewhere first)."""
    from core.concurrency import EditConflict

    from .models import HealthRegion

    _check_region_editor(by)
    _lock_province(region.province)
    current = HealthRegion.objects.filter(pk=region.pk).first()
    if current is None:
        return
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current, [])
    users = list(current.users.order_by("username").values_list("username", flat=True)[:6])
    if users:
        n = current.users.count()
        names = ", ".join(users[:5]) + ("…" if n > 5 else "")
        raise Invalid(f"Khu vực “{current.name}” là địa bàn của {n} người dùng ({names}): hãy chuyển họ sang địa bàn khác "
                      f"hoặc khu vực khác trước khi xóa.",
                      f"The region “{current.name}” is the jurisdiction of {n} user(s) ({names}): assign them elsewhere "
                      f"before deleting it.")
    codes = ",".join(sorted(current.communes.values_list("code", flat=True)))
    record(actor=by, action="delete", obj=current, changes={"name": (current.name, None), "communes": (codes, None)})
    current.communes.clear()
    current.delete()
