"""Areas: the one module that says which places a unit (or a health region) covers, on which structure.

Since 01/07/2025 Vietnam has two administrative structures (docs/geo.md): the pre-2025 one (province → district →
commune, 10,035 communes) and the 2025 one (province → commune, 3,321 communes). Records keep the unit of their time;
this module answers, once for every app (scoping, population, coverage, levels, reports):

* **the installation** — `installation_structure()` (``PHONGDICH_STRUCTURE``: "2025" by default, or "pre2025") and
  `installation_province()` (``PHONGDICH_PROVINCE_CODE``: 51 = Quảng Ngãi by default on the 2025 structure,
  62 = Kon Tum by default on the pre-2025 one);
* **what lies under a unit** — `units_under(unit, level=…)`, `commune_ids_under(unit)` and the Q objects behind
  them (`under_q`): a pre-2025 unit covers its path; a 2025 unit also covers the pre-2025 communes it absorbed (and
  for visibility every one it took a part of); a health region covers its communes and what lies under them;
* **roll-ups across the reorganisation** — `rollup_map(...)`: "commune of its time → commune on the chosen
  structure". A pre-2025 commune rolls up to its *default* 2025 successor (the one that took its name), so a
  divided commune's records and population are counted once, never twice.

Structure values are spelt here (PRE_2025, FROM_2025): apps import them instead of writing "pre2025".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet

from .models import AdministrativeUnit, Level, Structure, UnitCorrespondence

PRE_2025: str = Structure.PRE_2025.value  # "pre2025"
FROM_2025: str = Structure.FROM_2025.value  # "2025"
STRUCTURES: tuple[str, str] = (FROM_2025, PRE_2025)
# The first day of the 2025 structure, and the last of the pre-2025 one.
REORGANISED_ON = dt.date(2025, 7, 1)
LAST_PRE_2025_DAY = dt.date(2025, 6, 30)
# The province an installation serves when PHONGDICH_PROVINCE_CODE is not set.
DEFAULT_PROVINCE = {FROM_2025: "51", PRE_2025: "62"}  # Quảng Ngãi (2025, with the former Kon Tum); Kon Tum (pre-2025)


# --- the installation ------------------------------------------------------------------------------------------
def installation_structure() -> str:
    """The structure this installation works on by default ("2025" or "pre2025"), from PHONGDICH_STRUCTURE."""
    value = getattr(settings, "PHONGDICH_STRUCTURE", FROM_2025) or FROM_2025
    return value if value in STRUCTURES else FROM_2025


def installation_province_code() -> str:
    """GSO code of the province this installation serves (PHONGDICH_PROVINCE_CODE), on `installation_structure()`."""
    return str(getattr(settings, "PHONGDICH_PROVINCE_CODE", "") or DEFAULT_PROVINCE[installation_structure()])


def installation_province(structure: str | None = None) -> AdministrativeUnit | None:
    """The installation's province unit (None until `load_admin_units` ran).

    With `structure` the other structure's view: on a 2025 installation, `installation_province(PRE_2025)` is
    the pre-2025 province of the same code when it exists (e.g. 51 → the former Quảng Ngãi); use
    `history_provinces()` for every pre-2025 province the installation's province absorbed.
    """
    structure = structure or installation_structure()
    return AdministrativeUnit.objects.filter(
        structure=structure, level=Level.PROVINCE, code=installation_province_code()
    ).first()


def history_provinces() -> QuerySet:
    """Pre-2025 provinces whose communes are now (at least partly) in the installation's province.

    2025 installation of 51: the former Kon Tum (62) and Quảng Ngãi (51), as far as they are loaded. A pre-2025
    installation: its own province.
    """
    if installation_structure() == PRE_2025:
        return AdministrativeUnit.objects.filter(structure=PRE_2025, level=Level.PROVINCE, code=installation_province_code())
    prefix = AdministrativeUnit.make_path(FROM_2025, installation_province_code())
    return AdministrativeUnit.objects.filter(path__in=old_province_paths(prefix)).order_by("code")


def provinces_on(day: dt.date) -> QuerySet:
    """The installation's provinces on the structure in force on `day`: its 2025 province from 01/07/2025; before,
    the pre-2025 provinces of its history (a 2025 installation) or its own province (a pre-2025 one). Weekly jobs
    (levels) assess these, each week on the units of its time."""
    if structure_on(day) == FROM_2025:
        if installation_structure() == FROM_2025:
            return AdministrativeUnit.objects.filter(
                structure=FROM_2025, level=Level.PROVINCE, code=installation_province_code())
        own = AdministrativeUnit.make_path(PRE_2025, installation_province_code())
        codes = UnitCorrespondence.objects.filter(old_unit__path__startswith=own).values("new_unit__parent_id")
        return AdministrativeUnit.objects.filter(pk__in=codes)
    return history_provinces()


def installation_units_q(prefix: str = "") -> Q:
    """Q over an AdministrativeUnit (at lookup `prefix`) for every unit of the installation, both structures:
    the province on the installation's structure and everything below it, plus the units of the other structure
    that lie in the same places (predecessors, their districts and provinces; or successors)."""
    lookup = f"{prefix}__" if prefix else ""
    own = AdministrativeUnit.make_path(installation_structure(), installation_province_code())
    q = Q(**{f"{lookup}path__startswith": own})
    if installation_structure() == FROM_2025:
        for p in history_provinces().values_list("path", flat=True):
            q |= Q(**{f"{lookup}path__startswith": p})
    else:
        q |= Q(**{f"{lookup}pk__in": UnitCorrespondence.objects.filter(old_unit__path__startswith=own).values("new_unit_id")})
    return q


def installation_units() -> QuerySet:
    """Units of the installation on both structures (pickers for someone who sees everything)."""
    return AdministrativeUnit.objects.filter(installation_units_q())


# --- structures and dates ----------------------------------------------------------------------------------------
def structure_on(day: dt.date) -> str:
    """The structure in force on `day`: records dated before 01/07/2025 belong on pre-2025 units."""
    return FROM_2025 if day >= REORGANISED_ON else PRE_2025


def is_region(obj) -> bool:
    """A health region (geo.HealthRegion or any object with a `commune_paths()` method), not a unit."""
    return not isinstance(obj, AdministrativeUnit) and hasattr(obj, "commune_paths")


# --- what lies under a unit ------------------------------------------------------------------------------------
def _paths_of(area) -> list[str]:
    return list(area.commune_paths()) if is_region(area) else [area.path]


def under_q(area, prefix: str = "", *, counting: bool = False) -> Q:
    """Q over an AdministrativeUnit at lookup `prefix` ("commune", "unit", "" for the unit itself) for `area` and
    everything below it.

    * a pre-2025 unit: its path;
    * a 2025 province: its path and the pre-2025 provinces merged into it, whole (provinces were never divided);
    * a 2025 commune: its path and the pre-2025 communes it absorbed — every one it took a part of (visibility:
      whoever governs a place sees its history), or with `counting=True` only those whose default successor it is
      (sums: a divided commune counts once, in the commune that took its name);
    * a health region: the same for each of its communes, and the pre-2025 districts it took over (the unit itself,
      e.g. a former district health centre's records: `region_district_ids`).

    No join to a to-many relation (a sub-select on UnitCorrespondence), so querysets need no DISTINCT.
    """
    q = under_paths_q(_paths_of(area), prefix, counting=counting)
    if is_region(area):
        districts = region_district_ids(area)
        if districts:
            q |= Q(**{f"{prefix}__pk__in" if prefix else "pk__in": districts})
    return q


def region_district_ids(region) -> list[int]:
    """Ids of the pre-2025 districts a health region took over: those more than half of whose communes have their
    default successor in the region (communes in no region count in the whole), the rule of `regions_of`, so that a
    former district (and its health centre) belongs to one region at most, and never to one holding a small share of
    it. One query, cached on the region instance."""
    cached = getattr(region, "_district_ids", None)
    if cached is not None:
        return cached
    from django.db.models import Count

    touched = UnitCorrespondence.objects.filter(new_unit__regions=region).values("old_unit__parent_id")
    rows = (UnitCorrespondence.objects.filter(is_default=True, old_unit__parent_id__in=touched,
                                              old_unit__parent__level=Level.DISTRICT)
            .values_list("old_unit__parent_id", "new_unit__regions").annotate(n=Count("pk")).order_by())
    votes: dict[int, dict[int | None, int]] = {}
    for district, region_id, n in rows:  # region_id None: successors in no region
        votes.setdefault(district, {})[region_id] = n
    region._district_ids = sorted(d for d, tally in votes.items() if _majority(tally) == region.pk)
    return region._district_ids


def _majority(tally: dict[int | None, int]) -> int | None:
    """The region holding more than half of the votes (None: in no region), else None."""
    total = sum(tally.values())
    return next((r for r, n in tally.items() if r is not None and 2 * n > total), None)


def under_paths_q(paths: Iterable[str], prefix: str = "", *, counting: bool = False) -> Q:
    """`under_q` for units given by their paths (e.g. the provinces of a country-wide levels run)."""
    lookup = f"{prefix}__" if prefix else ""
    paths = list(paths)
    q = Q()
    new_provinces = [p for p in paths if p.startswith("/n") and p.count("/") == 2]
    new_others = [p for p in paths if p.startswith("/n") and p.count("/") > 2]
    for path in paths:
        q |= Q(**{f"{lookup}path__startswith": path})
    for old in sorted({o for olds in old_province_paths_many(new_provinces).values() for o in olds}):
        q |= Q(**{f"{lookup}path__startswith": old})
    if new_others:
        path_q = Q()
        for p in new_others:
            path_q |= Q(new_unit__path__startswith=p)
        links = UnitCorrespondence.objects.filter(path_q)
        if counting:
            links = links.filter(is_default=True)
        q |= Q(**{f"{lookup}pk__in": links.values("old_unit_id")})
    if not q:
        q = Q(**{f"{lookup}pk__in": []})
    return q


def old_province_paths_many(new_province_paths: Iterable[str]) -> dict[str, list[str]]:
    """{2025 province path: [paths of the pre-2025 provinces merged into it]}: one query the first time, then from a
    per-process memo (the units are reference data; `forget_reference()` clears it when they are loaded)."""
    wanted = tuple(sorted(set(new_province_paths)))
    if not wanted:
        return {}
    missing = [p for p in wanted if p not in _OLD_PROVINCES]
    if missing:
        rows = (AdministrativeUnit.objects.filter(level=Level.COMMUNE, structure=PRE_2025,
                                                  successor_links__new_unit__parent__path__in=missing)
                .values_list("successor_links__new_unit__parent__path", "parent__parent__path").distinct())
        found: dict[str, set] = {p: set() for p in missing}
        for new, old in rows:
            found[new].add(old)
        if any(found.values()):  # an empty answer (units not loaded yet) is not remembered
            _OLD_PROVINCES.update({k: sorted(v) for k, v in found.items()})
        else:
            return {p: _OLD_PROVINCES.get(p, []) for p in wanted}
    return {p: _OLD_PROVINCES.get(p, []) for p in wanted}


_OLD_PROVINCES: dict[str, list[str]] = {}


def forget_reference() -> None:
    """Clear the per-process memo of the units' correspondence (after `load_admin_units`)."""
    _OLD_PROVINCES.clear()


def old_province_paths(new_province_path: str) -> list[str]:
    """Paths of the pre-2025 provinces merged into the 2025 province at `new_province_path` (one query)."""
    return old_province_paths_many([new_province_path])[new_province_path]


def units_under(area, level: str | None = None, *, counting: bool = False, structure: str | None = None) -> QuerySet:
    """AdministrativeUnits at or below `area` (a unit of either structure or a health region); see `under_q`.

    `level` keeps one level (e.g. Level.COMMUNE); `structure` keeps one structure (e.g. only the 2025 communes).
    """
    qs = AdministrativeUnit.objects.filter(under_q(area, counting=counting))
    if level:
        qs = qs.filter(level=level)
    if structure:
        qs = qs.filter(structure=structure)
    return qs


def commune_ids_under(area, *, counting: bool = True) -> list[int]:
    """Ids of the communes (both structures) at or below `area`; by default for counting (see `under_q`)."""
    return list(units_under(area, Level.COMMUNE, counting=counting).order_by("pk").values_list("pk", flat=True))


# --- roll-ups across the reorganisation ---------------------------------------------------------------------------
def successors_of(communes: Iterable) -> dict[int, list[AdministrativeUnit]]:
    """{pre-2025 commune id: [its 2025 communes]}, the default successor (the one that took its name) first."""
    ids = [c if isinstance(c, int) else c.pk for c in communes]
    out: dict[int, list[AdministrativeUnit]] = {}
    links = (UnitCorrespondence.objects.filter(old_unit_id__in=ids).select_related("new_unit")
             .order_by("old_unit_id", "-is_default", "new_unit__name"))
    for link in links:
        out.setdefault(link.old_unit_id, []).append(link.new_unit)
    return out


def correspondents_of(communes: Iterable) -> dict[int, list[AdministrativeUnit]]:
    """{commune id: [its communes on the other structure]} in one query, every correspondence link (not only the
    default): a pre-2025 commune → the 2025 communes it became part of (the default successor first); a 2025 commune
    → the pre-2025 communes it took over or took a part of (by code). What a figure that cannot be summed (an
    epidemic level) is shown from on the other map."""
    ids = [c if isinstance(c, int) else c.pk for c in communes]
    out: dict[int, list[AdministrativeUnit]] = {}
    if not ids:
        return out
    links = (UnitCorrespondence.objects.filter(Q(old_unit_id__in=ids) | Q(new_unit_id__in=ids))
             .select_related("old_unit", "new_unit").order_by("-is_default", "new_unit__name", "old_unit__code"))
    wanted = set(ids)
    for link in links:
        if link.old_unit_id in wanted:
            out.setdefault(link.old_unit_id, []).append(link.new_unit)
        if link.new_unit_id in wanted:
            out.setdefault(link.new_unit_id, []).append(link.old_unit)
    for units in out.values():
        if units and units[0].structure == PRE_2025:
            units.sort(key=lambda u: u.code)
    return out


def default_successor_paths(old_commune_ids=None) -> dict[int, str]:
    """{pre-2025 commune id: path of its default 2025 successor} in one query (all of them, or of `old_commune_ids`:
    ids or a subquery). What a 2025 roll-up adds a pre-2025 commune's records and population to."""
    links = UnitCorrespondence.objects.filter(is_default=True)
    if old_commune_ids is not None:
        links = links.filter(old_unit_id__in=old_commune_ids)
    return dict(links.values_list("old_unit_id", "new_unit__path"))


def rollup_map(structure: str | None = None, commune_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{commune id of its time: commune id on `structure`} (default: the installation's), in one query.

    * on the 2025 structure a pre-2025 commune maps to its default successor (a divided commune's records and
      population count once); a 2025 commune to itself;
    * on the pre-2025 structure a pre-2025 commune maps to itself; a 2025 commune to its predecessor whose default
      successor it is (the first by code) — an approximation, records of 2025 are rarely shown on the old map.

    Communes without a correspondence map to themselves. Restrict to `commune_ids` when given.
    """
    structure = structure or installation_structure()
    links = UnitCorrespondence.objects.filter(is_default=True)
    ids = None if commune_ids is None else list(commune_ids)
    if ids is not None:
        links = links.filter(Q(old_unit_id__in=ids) | Q(new_unit_id__in=ids))
    out: dict[int, int] = {}
    rows = links.order_by("old_unit__code").values_list("old_unit_id", "new_unit_id")
    for old, new in rows:
        if structure == FROM_2025:
            out[old] = new
        else:
            out.setdefault(new, old)
            out[old] = old
    if ids is not None:
        # Identity for the rest; filled after the links, or a 2025 commune asked for would keep itself on the old map.
        out = {i: out.get(i, i) for i in ids}
    return out


def children_for_rollup(area, structure: str | None = None) -> list[AdministrativeUnit]:
    """The units a table or map of `area` is broken down into, on `structure`: a province's districts (pre-2025)
    or communes (2025), a district's communes, a region's communes; a commune has none."""
    if is_region(area):
        return list(area.communes.order_by("name_folded"))
    if area.level == Level.COMMUNE:
        return []
    return list(area.children.order_by("name_folded"))


# --- "Theo địa giới: hiện hành / trước 01/07/2025": the switch every aggregate page shares ---------------------------
STRUCTURE_PARAM = "structure"  # ?structure=2025 | pre2025 on pages and the API


def structure_from_request(request) -> str:
    """The structure a page or API aggregate is shown on: `?structure=` when valid, else the installation's (today's
    map by default). Used with the template include geo/_structure_switch.html ({% structure_switch %})."""
    value = (getattr(request, "GET", {}) or {}).get(STRUCTURE_PARAM, "")
    return value if value in STRUCTURES else installation_structure()


def unit_on(unit: AdministrativeUnit | None, structure: str) -> AdministrativeUnit | None:
    """The unit that stands for `unit` on `structure`: itself on its own structure; a pre-2025 commune's default
    successor; a pre-2025 district or province → the 2025 province its communes went to; a 2025 commune → its first
    predecessor (by code); a 2025 province → the first pre-2025 province merged into it. None when there is none."""
    if unit is None or unit.structure == structure:
        return unit
    if structure == FROM_2025:
        if unit.level == Level.COMMUNE:
            link = unit.successor_links.filter(is_default=True).select_related("new_unit").first()
            return link.new_unit if link else None
        link = (UnitCorrespondence.objects.filter(old_unit__path__startswith=unit.path, is_default=True)
                .select_related("new_unit__parent").first())
        return link.new_unit.parent if link else None
    if unit.level == Level.COMMUNE:
        link = unit.predecessor_links.select_related("old_unit").order_by("old_unit__code").first()
        return link.old_unit if link else None
    olds = old_province_paths(unit.path)
    return AdministrativeUnit.objects.filter(path__in=olds).order_by("code").first() if olds else None


def rollup_counts(counts: dict, structure: str | None = None) -> dict:
    """Figures keyed by the commune of their time ({commune id: n} or {commune id: {name: n}}) regrouped on the
    communes of `structure` (default: the installation's): a pre-2025 commune's figures add into its default
    successor (`rollup_map`, one query). The one helper every aggregate page's switch uses; records keep their units.
    """
    mapping = rollup_map(structure, counts.keys()) if counts else {}
    out: dict = {}
    for cid, value in counts.items():
        key = mapping.get(cid, cid)
        if isinstance(value, dict):
            into = out.setdefault(key, {k: 0 for k in value})
            for k, v in value.items():
                into[k] = into.get(k, 0) + (v or 0)
        else:
            out[key] = out.get(key, 0) + (value or 0)
    return out


def communes_on(area, structure: str | None = None) -> QuerySet:
    """The communes of `structure` a table or map of `area` (a unit of either structure or a region) is broken into
    when shown on that structure — those `rollup_counts` adds its records into: the communes of that structure
    under it, and on the 2025 map the default successors of the pre-2025 communes under it."""
    structure = structure or installation_structure()
    under = units_under(area, Level.COMMUNE, counting=True)
    q = Q(pk__in=under.filter(structure=structure).values("pk"))
    if structure == FROM_2025:
        q |= Q(pk__in=UnitCorrespondence.objects.filter(is_default=True, old_unit__in=under.values("pk")).values("new_unit_id"))
    return AdministrativeUnit.objects.filter(q, level=Level.COMMUNE, structure=structure)


def unit_names(ids: Iterable[int]) -> dict[int, str]:
    """{unit id: name} in one query (labels of a regrouped table)."""
    ids = [i for i in ids if i is not None]
    return dict(AdministrativeUnit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


# --- lists on either structure: a record's unit label and a unit filter ----------------------------------------------
def unit_filter_q(value, prefix: str = "commune") -> Q:
    """Q for a list's unit filter (`?commune=` / `?don_vi=`: a unit id of either structure) over the records' unit at
    lookup `prefix`: the records that count in that unit on its own structure — the same rows as its figures.

    * a 2025 unit (or its province): its records and those of the pre-2025 communes that roll up into it
      (`under_q(counting=True)`: a divided commune's records follow its default successor);
    * a pre-2025 unit: its records and those of the 2025 communes that count in it on the pre-2025 map
      (`rollup_map(PRE_2025)`: a 2025 commune in its first predecessor by code).

    An id that is no unit matches nothing (a stale link shows an empty list, not an error). Two queries at most.
    """
    unit = value if isinstance(value, AdministrativeUnit) else (
        AdministrativeUnit.objects.filter(pk=value).only("pk", "path", "structure", "level").first()
        if str(value).isdigit() else None)
    lookup = f"{prefix}__" if prefix else ""
    if unit is None:
        return Q(**{f"{lookup}pk__in": []})
    q = under_q(unit, prefix, counting=True)
    if unit.structure == PRE_2025:
        touched = UnitCorrespondence.objects.filter(old_unit__path__startswith=unit.path, is_default=True).values("new_unit_id")
        first: dict[int, str] = {}
        for new_id, old_path in (UnitCorrespondence.objects.filter(is_default=True, new_unit_id__in=touched)
                                 .order_by("old_unit__code").values_list("new_unit_id", "old_unit__path")):
            first.setdefault(new_id, old_path)
        new_ids = sorted(n for n, p in first.items() if p.startswith(unit.path))
        if new_ids:
            q |= Q(**{f"{lookup}pk__in": new_ids})
    return q


def unit_labels(units: Iterable, structure: str | None = None) -> dict[int, str]:
    """{commune id: its label on `structure`} for the units a list page shows (AdministrativeUnits, already loaded),
    in one query: the unit of the record's time, and on the other structure the unit it rolls up to —
    "Xã A (nay: Phường B)" on today's map, "Phường B (trước: Xã A)" on the pre-2025 one (`rollup_map`)."""
    from django.utils.translation import gettext as _

    structure = structure or installation_structure()
    units = {u.pk: u for u in units if u is not None}
    others = {u.pk for u in units.values() if u.structure != structure and u.level == Level.COMMUNE}
    labels = {pk: u.name for pk, u in units.items()}
    if not units:
        return labels
    # Asked for every unit of the page (not only those of the other structure), so a page runs the same queries
    # whichever structure its rows happen to be on (tests/core/test_query_counts.py).
    links = UnitCorrespondence.objects.filter(is_default=True)
    if structure == FROM_2025:
        rows = links.filter(old_unit_id__in=list(units)).values_list("old_unit_id", "new_unit__name")
        template = _("%(unit)s (nay: %(other)s)")
    else:
        rows = links.filter(new_unit_id__in=list(units)).order_by("old_unit__code").values_list("new_unit_id", "old_unit__name")
        template = _("%(unit)s (trước: %(other)s)")
    seen: set[int] = set()
    for pk, other in rows:
        if pk in others and pk not in seen:
            seen.add(pk)
            labels[pk] = template % {"unit": units[pk].name, "other": other}
    return labels


def label_records(records: Iterable, attr: str = "commune", structure: str | None = None, into: str = "unit_label") -> list:
    """Set `into` on each record (a page of a list) to the label of its unit at `attr` ("commune", "person.commune")
    on `structure` (`unit_labels`, one query for the page). Returns the records as a list."""
    records = list(records)

    def unit_of(obj):
        for part in attr.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj

    units = [unit_of(r) for r in records]
    labels = unit_labels(units, structure)
    for r, u in zip(records, units, strict=True):
        setattr(r, into, labels.get(u.pk, "") if u is not None else "")
    return records


def communes_for_picker(units: QuerySet, structure: str | None = None) -> QuerySet:
    """The communes of `structure` among `units` (a user's visible units): a list's unit filter offers the communes
    of the map it is shown on (records of the other structure are matched through `unit_filter_q`)."""
    return units.filter(level=Level.COMMUNE, structure=structure or installation_structure()).order_by("name")


# --- grouping places on either structure: the region (2025) or the district (pre-2025) a unit belongs to -----------
def regions_of(units: Iterable) -> dict[int, int | None]:
    """{unit id: id of the health region it belongs to, or None}, for units of either structure (AdministrativeUnits,
    already loaded), in two queries whatever their number:

    * a 2025 commune: the region that lists it (a commune is in at most one region);
    * a pre-2025 commune: the region of its default successor (as every roll-up: a divided commune counts once);
    * a pre-2025 district: the region holding more than half of its communes' default successors, else None — a
      former district health centre serves the region that took over its district;
    * a province (either structure) or a unit in no region: None.
    """
    from .models import HealthRegion

    units = [u for u in units if u is not None]
    new_communes = {u.pk for u in units if u.structure == FROM_2025 and u.level == Level.COMMUNE}
    old_communes = {u.pk for u in units if u.structure == PRE_2025 and u.level == Level.COMMUNE}
    districts = {u.pk for u in units if u.level == Level.DISTRICT}
    out: dict[int, int | None] = {u.pk: None for u in units}
    if not (new_communes or old_communes or districts):
        return out
    links = []
    if old_communes or districts:
        links = list(UnitCorrespondence.objects.filter(is_default=True)
                     .filter(Q(old_unit_id__in=old_communes) | Q(old_unit__parent_id__in=districts))
                     .values_list("old_unit_id", "old_unit__parent_id", "new_unit_id"))
    wanted = new_communes | {new for _old, _parent, new in links}
    region_of = dict(HealthRegion.communes.through.objects.filter(administrativeunit_id__in=wanted)
                     .values_list("administrativeunit_id", "healthregion_id")) if wanted else {}
    for pk in new_communes:
        out[pk] = region_of.get(pk)
    votes: dict[int, dict[int, int]] = {}
    for old, parent, new in links:
        region = region_of.get(new)
        if old in old_communes:
            out[old] = region
        if parent in districts:  # a successor in no region votes too: a minority share takes no district
            tally = votes.setdefault(parent, {})
            tally[region] = tally.get(region, 0) + 1
    for district, tally in votes.items():
        out[district] = _majority(tally)
    return out


def districts_of(units: Iterable) -> dict[int, int | None]:
    """{unit id: id of the pre-2025 district it belongs to on the pre-2025 map}, for units of either structure
    (AdministrativeUnits, already loaded), in at most two queries:

    * a pre-2025 commune: its district; a pre-2025 district: itself; a province (either structure): itself (the
      provincial level has no district);
    * a 2025 commune: the district of its first predecessor by code (`rollup_map(PRE_2025)`); None when it has none.
    """
    units = [u for u in units if u is not None]
    out: dict[int, int | None] = {}
    new_communes = []
    for u in units:
        if u.level == Level.COMMUNE and u.structure == FROM_2025:
            new_communes.append(u.pk)
        elif u.level == Level.COMMUNE:
            out[u.pk] = u.parent_id
        else:
            out[u.pk] = u.pk
    if new_communes:
        mapping = rollup_map(PRE_2025, new_communes)
        olds = {old for new, old in mapping.items() if old != new}
        parents = dict(AdministrativeUnit.objects.filter(pk__in=olds).values_list("pk", "parent_id")) if olds else {}
        for pk in new_communes:
            out[pk] = parents.get(mapping.get(pk))
    return out


def region_names(ids: Iterable[int]) -> dict[int, str]:
    """{health region id: name} in one query (labels of a table grouped by `regions_of`)."""
    from .models import HealthRegion

    ids = [i for i in ids if i is not None]
    return dict(HealthRegion.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
