"""Reads of epidemic levels for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

from geo.models import Level

from .models import LevelDecision


def communes_by_decided_level(day: dt.date, path_prefix: str | None) -> dict:
    """The daily report's levels section: each commune's latest decided or published level for a week starting on
    or before `day` — {"communes_by_level": {"1".."4": count}, "high": [{"unit", "level"} for levels 3 and 4]}."""
    qs = LevelDecision.objects.filter(status__in=[LevelDecision.Status.DECIDED, LevelDecision.Status.PUBLISHED],
                                      week_start__lte=day, unit__level=Level.COMMUNE)
    if path_prefix is not None:
        qs = qs.filter(unit__path__startswith=path_prefix)
    latest = {}
    for d in qs.order_by("unit_id", "week_start", "id").values("unit_id", "unit__name", "decided_level"):
        latest[d["unit_id"]] = d
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    high = []
    for d in latest.values():
        if not d["decided_level"]:
            continue
        counts[d["decided_level"]] = counts.get(d["decided_level"], 0) + 1
        if d["decided_level"] >= 3:
            high.append({"unit": d["unit__name"], "level": d["decided_level"]})
    return {"communes_by_level": {str(k): v for k, v in counts.items()}, "high": sorted(high, key=lambda x: (-x["level"], x["unit"]))}
