"""Write functions and queries of the geo app: villages, population denominators, boundaries, map features.

Views, API, importers, commands and other apps call these; none of them writes geo tables directly.
"""
from __future__ import annotations

import json
from collections import defaultdict

from django.db import transaction
from django.db.models import Q, Sum

from audit.services import record
from core.errors import Invalid
from core.text import fold

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
def _population_rows(unit: AdministrativeUnit, year: int, age_bands=None, sex=None):
    """Estimates under `unit` (path prefix). A 2025 unit also gets the pre-2025 communes it absorbed
    (their default successor), since denominators of earlier years stay on the units of their time."""
    q = Q(unit__path__startswith=unit.path)
    if unit.is_post_2025:
        q |= Q(unit__successor_links__new_unit__path__startswith=unit.path, unit__successor_links__is_default=True)
    qs = PopulationEstimate.objects.filter(q, year=year)
    if age_bands:
        qs = qs.filter(age_band__in=list(age_bands))
    if sex:
        qs = qs.filter(sex=sex)
    return qs


def population(unit: AdministrativeUnit, year: int, age_bands=None, sex: str | None = None) -> int:
    """Total population of `unit` and everything below it, in ONE query (communes roll up by path prefix).

    For a 2025 unit, estimates recorded on its own communes are used when there are any; otherwise those of
    the pre-2025 communes that became part of it (a divided commune counts in the unit that took its name).
    """
    totals = dict(_population_rows(unit, year, age_bands, sex).values_list("unit__structure").annotate(n=Sum("population")))
    if unit.is_post_2025 and totals.get(Structure.FROM_2025):
        return totals[Structure.FROM_2025]
    return totals.get(Structure.PRE_2025) or 0


def population_table(unit: AdministrativeUnit, year: int) -> dict:
    """Population of `unit` and of each child by sex and age band, from ONE query.

    Returns {"year", "bands", "rows": [{"unit", "total", "M", "F", "bands": {band: n}}], "total": row of `unit`}.
    """
    children = list(unit.children.order_by("name_folded")) if unit.level != Level.COMMUNE else []
    rows = (
        PopulationEstimate.objects.filter(unit__path__startswith=unit.path, year=year)
        .values_list("unit__path", "sex", "age_band")
        .annotate(n=Sum("population"))
    )
    rows = list(rows)
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


def population_years(unit: AdministrativeUnit | None = None) -> list[int]:
    qs = PopulationEstimate.objects.all()
    if unit is not None:
        q = Q(unit__path__startswith=unit.path)
        if unit.is_post_2025:
            q |= Q(unit__successor_links__new_unit__path__startswith=unit.path)
        qs = qs.filter(q)
    return sorted(set(qs.values_list("year", flat=True).distinct()), reverse=True)


def population_by_unit(units, year: int) -> dict[int, int]:
    """{unit id: total population} for several units (e.g. the features of a map), in ONE query."""
    units = list(units)
    if not units:
        return {}
    q = Q()
    for u in units:
        q |= Q(unit__path__startswith=u.path)
    rows = PopulationEstimate.objects.filter(q, year=year).values_list("unit__path").annotate(n=Sum("population"))
    out = dict.fromkeys((u.pk for u in units), 0)
    by_len = sorted(units, key=lambda u: -len(u.path))
    for path, n in rows:
        for u in by_len:
            if path.startswith(u.path):
                out[u.pk] += n
                break
    return out


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
