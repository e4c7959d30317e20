"""The demo's residents move to today's map (the living era of `phongdich demo`, see core.demo and docs/demo.md).

Set-based: one UPDATE for the people with a village, one for those without, whatever their number. A pre-2025 commune
with one successor moves whole; a divided commune moves village by village (each village goes to one successor, in
turn), which is how the re-homing flow decides it for real data. Villages are copied onto the 2025 commune (a name
that two merged communes share gets the old commune's name in brackets); the pre-2025 villages stay for the records
of their time. Records of the history era (cases, tests, contacts…) keep their old units.
"""
import datetime as dt
from collections import defaultdict

from django.db import connection, transaction

from core.dataversion import bump
from core.text import fold
from geo.models import AdministrativeUnit, PopulationEstimate, UnitCorrespondence, Village, age_band_of


def successors(old_communes) -> dict[int, list[int]]:
    """old commune id → its 2025 successor ids, the default (the one that took its name) first."""
    out: dict[int, list[int]] = defaultdict(list)
    for old, new in (UnitCorrespondence.objects.filter(old_unit__in=old_communes)
                     .order_by("old_unit_id", "-is_default", "new_unit_id").values_list("old_unit_id", "new_unit_id")):
        out[old].append(new)
    return dict(out)


@transaction.atomic
def rehome(old_communes) -> list[AdministrativeUnit]:
    """Move every resident of `old_communes` to the 2025 commune that now governs his place. Returns those communes."""
    from .models import Person

    links = successors(old_communes)
    if not links:
        return []
    olds = {c.pk: c for c in old_communes}
    old_villages = list(Village.objects.filter(commune_id__in=list(links)).order_by("commune_id", "id"))
    predecessors: dict[int, int] = defaultdict(int)
    for news in links.values():
        for n in news:
            predecessors[n] += 1
    target_of: dict[int, int] = {}  # old village → new commune
    seen: dict[int, int] = defaultdict(int)
    for v in old_villages:
        news = links[v.commune_id]
        target_of[v.pk] = news[seen[v.commune_id] % len(news)]
        seen[v.commune_id] += 1
    existing = {(v.commune_id, v.name_folded): v.pk for v in Village.objects.filter(commune_id__in=set(target_of.values()))}
    copies, key_of = [], {}
    for v in old_villages:
        new_commune = target_of[v.pk]
        name = v.name if predecessors[new_commune] == 1 else f"{v.name} ({olds[v.commune_id].name})"
        key = (new_commune, fold(name))
        key_of[v.pk] = key
        if key not in existing:
            existing[key] = None
            copies.append(Village(commune_id=new_commune, name=name, name_folded=key[1], kind=v.kind, code=v.code))
    Village.objects.bulk_create(copies, batch_size=2000)
    new_ids = {(v.commune_id, v.name_folded): v.pk for v in Village.objects.filter(commune_id__in=set(target_of.values()))}
    village_rows = [(old, new_ids[key_of[old]], target_of[old]) for old in target_of]
    commune_rows = [(old, news[0]) for old, news in links.items()]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE demo_rehome_village (old_id integer PRIMARY KEY, new_id integer, commune_id integer)")
        cur.execute("CREATE TEMPORARY TABLE demo_rehome_commune (old_id integer PRIMARY KEY, new_id integer)")
        try:
            cur.executemany("INSERT INTO demo_rehome_village VALUES (%s, %s, %s)", village_rows)
            cur.executemany("INSERT INTO demo_rehome_commune VALUES (%s, %s)", commune_rows)
            table = Person._meta.db_table
            cur.execute(f"""UPDATE {table} SET
                commune_id = (SELECT m.commune_id FROM demo_rehome_village m WHERE m.old_id = {table}.village_id),
                village_id = (SELECT m.new_id FROM demo_rehome_village m WHERE m.old_id = {table}.village_id)
                WHERE village_id IN (SELECT old_id FROM demo_rehome_village)""")
            cur.execute(f"""UPDATE {table} SET
                commune_id = (SELECT m.new_id FROM demo_rehome_commune m WHERE m.old_id = {table}.commune_id)
                WHERE village_id IS NULL AND commune_id IN (SELECT old_id FROM demo_rehome_commune)""")
        finally:
            cur.execute("DROP TABLE demo_rehome_village")
            cur.execute("DROP TABLE demo_rehome_commune")
    return list(AdministrativeUnit.objects.filter(pk__in={n for news in links.values() for n in news}).order_by("code"))


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
