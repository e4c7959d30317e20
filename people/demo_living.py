"""The demo's residents move to today's map (the living era of `phongdich demo`, see core.demo and docs/demo.md).

They move by the real re-homing flow (people.rehoming): a run by the Department of Health's account, audited person by
person, its moves listed on the re-homing page like any installation's, and undoable there. Before it, the 2025
communes get their village lists (copies of the pre-2025 villages they took over), which is also what lets the run
place the people of a divided commune by their village. Records of the history era (cases, tests, contacts…) keep
their old units: the demo closes that era before the run (core.demo), so no 2022 case follows its person.
"""
import datetime as dt
from collections import defaultdict

from django.utils import timezone

from core.dataversion import bump
from core.text import fold
from geo.models import PopulationEstimate, Village, age_band_of


def village_lists(links: dict[int, list[int]], olds: dict) -> int:
    """Copy the villages of the pre-2025 communes onto the 2025 communes that took them over (`links`: old commune
    id → its successors, the default first; a divided commune's villages go to its successors in turn). A name that
    two merged communes share gets the old commune's name in brackets. Returns the number of villages created."""
    predecessors: dict[int, int] = defaultdict(int)
    for news in links.values():
        for n in news:
            predecessors[n] += 1
    seen: dict[int, int] = defaultdict(int)
    existing = set(Village.objects.filter(commune_id__in=predecessors).values_list("commune_id", "name_folded"))
    copies = []
    for v in Village.objects.filter(commune_id__in=list(links)).order_by("commune_id", "id"):
        news = links[v.commune_id]
        new_commune = news[seen[v.commune_id] % len(news)]
        seen[v.commune_id] += 1
        name = v.name if predecessors[new_commune] == 1 else f"{v.name} ({olds[v.commune_id].name})"
        key = (new_commune, fold(name))
        if key not in existing:
            existing.add(key)
            copies.append(Village(commune_id=new_commune, name=name, name_folded=key[1], kind=v.kind, code=v.code))
    Village.objects.bulk_create(copies, batch_size=2000)
    return len(copies)


def rehome_residents(by):
    """Re-home every resident by the real flow, inline (the demo waits for it): a run started by `by`, its counts
    recorded as the background job records them. Returns the run."""
    from . import rehoming
    from .models import RehomingRun

    run = RehomingRun.objects.create(created_by=by, status=RehomingRun.Status.RUNNING, started_at=timezone.now())
    counts = rehoming.rehome(run)
    RehomingRun.objects.filter(pk=run.pk).update(status=RehomingRun.Status.DONE, finished_at=timezone.now(), counts=counts)
    run.refresh_from_db()
    return run


def write_population(communes, on: dt.date) -> int:
    """Denominators of the living era: the residents of each 2025 commune by sex and age band at `on` (one grouped
    query; ages from the birth year, as the registry knows it)."""
    from django.db.models import Count

    from .models import Person

    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    rows = (Person.objects.filter(commune__in=communes, merged_into__isnull=True)
            .values("commune_id", "sex", "birth_year").annotate(n=Count("id")).order_by()
            .values_list("commune_id", "sex", "birth_year", "n"))
    for commune_id, sex, birth_year, n in rows:
        if birth_year is None or sex not in ("M", "F"):
            continue
        counts[(commune_id, sex, age_band_of(max(0, on.year - birth_year)))] += n
    PopulationEstimate.objects.filter(year=on.year, source="demo", unit__in=communes).delete()
    bump("population")
    PopulationEstimate.objects.bulk_create(
        [PopulationEstimate(unit_id=u, year=on.year, sex=s, age_band=b, population=n, source="demo") for (u, s, b), n in counts.items()],
        batch_size=5000)
    return sum(counts.values())
