"""Reads of the facilities register for other apps (docs/architecture.md, "Selectors")."""
from collections import defaultdict

from django.db.models import Q, Sum

from .models import BedCapacity, BedType, Team

ICU = BedType.ICU.value


def response_teams_by_commune(commune_ids) -> dict[int, dict[str, bool]]:
    """commune id → {"mobile_station": bool, "care_team": bool}: whether the commune has an active mobile medical
    station and an active F0 care team (levels' criterion 3). `commune_ids` may be a subquery. One query."""
    kinds = (Team.Kind.MOBILE_STATION, Team.Kind.CARE_TEAM)
    have: dict[int, dict[str, bool]] = defaultdict(lambda: {"mobile_station": False, "care_team": False})
    for r in (Team.objects.filter(commune_id__in=commune_ids, is_active=True, kind__in=kinds).order_by()
              .values("commune_id", "kind").distinct()):
        have[r["commune_id"]][r["kind"]] = True
    return have


def beds_by_facility_place(path_prefixes) -> list[dict]:
    """Bed capacity of facilities under any of `path_prefixes`, grouped: rows of {"facility__unit__path",
    "bed_type", "n"} (n = total beds; bed_type == facilities.selectors.ICU for intensive care). One query."""
    under = Q()
    for prefix in path_prefixes:
        under |= Q(facility__unit__path__startswith=prefix)
    return list(BedCapacity.objects.filter(under).values("facility__unit__path", "bed_type").annotate(n=Sum("total")).order_by())
