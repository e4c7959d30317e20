"""The beds board (`/cases/giuong-benh/`): beds by type per treatment facility, occupancy and free beds, totalled per
health region on the 2025 map and per district on the pre-2025 one (docs/cases.md).

A facility keeps the unit it was registered on; its group is derived set-based from that unit (geo.areas.regions_of /
districts_of), so no facility → region link is stored and a region redrawn by the Department of Health regroups the
board at once. A bounded number of queries whatever the number of facilities (tests/facilities/test_beds_board.py).
"""
from django.db.models import Count

from core.scoping import scope
from core.text import fold
from facilities.models import BedCapacity, BedType
from geo import areas

from .models import Admission

NO_GROUP = 0  # the key of "not in any region" (2025) / "no district" (pre-2025): sorts last, never a unit or region id


def _empty_beds() -> dict:
    return {t: {"total": 0, "occupied": 0, "free": 0} for t in BedType.values}


def board(user, structure: str) -> dict:
    """{"groups": [{"key", "name", "beds": {bed type: {total, occupied, free}}}], "facilities": [...], "by_region"}.

    On the 2025 map (`areas.FROM_2025`) facilities are grouped by health region, with a last "not in any region"
    group; a region user sees the facilities of his region only (those of his jurisdiction, core.scoping, that the
    grouping puts in his region: a facility on a divided commune belongs to its default successor's region). On the
    pre-2025 map they are grouped by district, a 2025 facility in the district of its commune's first predecessor.
    """
    caps = list(scope(BedCapacity.objects.select_related("facility__unit"), user)
                .order_by("facility__name", "facility_id", "bed_type"))
    by_region = structure == areas.FROM_2025
    units = {c.facility.unit_id: c.facility.unit for c in caps}.values()
    if by_region:
        group_of = areas.regions_of(units)
        names = areas.region_names(set(group_of.values()))
    else:
        group_of = areas.districts_of(units)
        names = areas.unit_names(set(group_of.values()))
    own_region = getattr(getattr(user, "jurisdiction_region", None), "pk", None) if by_region else None
    if own_region is not None:
        caps = [c for c in caps if group_of.get(c.facility.unit_id) == own_region]
    occupied = {(r["facility_id"], r["bed_type"]): r["n"] for r in Admission.objects.filter(
        discharged_at__isnull=True, facility_id__in=[c.facility_id for c in caps])
        .values("facility_id", "bed_type").annotate(n=Count("id")).order_by()} if caps else {}
    facilities: dict[int, dict] = {}
    groups: dict[int, dict] = {}
    for cap in caps:
        f = cap.facility
        key = group_of.get(f.unit_id) or NO_GROUP
        name = names.get(key, "")
        row = facilities.setdefault(f.pk, {"facility": f, "group": key, "group_name": name, "beds": {}})
        used = occupied.get((f.pk, cap.bed_type), 0)
        row["beds"][cap.bed_type] = {"total": cap.total, "occupied": used, "free": max(cap.total - used, 0)}
        g = groups.setdefault(key, {"key": key, "name": name, "beds": _empty_beds()})
        for k in ("total", "occupied", "free"):
            g["beds"][cap.bed_type][k] += row["beds"][cap.bed_type][k]

    return {
        # Vietnamese order (Đăk after Dak, before Kon), the "not in any region" group last.
        "groups": sorted(groups.values(), key=lambda g: (g["key"] == NO_GROUP, fold(g["name"]))),
        "facilities": sorted(facilities.values(),
                             key=lambda r: (r["group"] == NO_GROUP, fold(r["group_name"]), fold(r["facility"].name))),
        "by_region": by_region,
    }
