"""What other apps read from the people registry (docs/architecture.md, "Selectors"): plain, typed functions that
return values or querysets. Jurisdiction is applied through core.scoping, as everywhere."""
from core.scoping import ID_FOUND, ID_NONE, ID_OUTSIDE, scope

from .models import Person


def lookup_person_by_national_id(user, id_number: str, *, exclude_pk=None) -> tuple[str, Person | None]:
    """(ID_FOUND, person) if the user may see the record with this ID, (ID_OUTSIDE, None) if one exists outside
    the user's jurisdiction (or there is no user: public forms), (ID_NONE, None) if no current record has it."""
    id_number = (id_number or "").strip()
    if not id_number:
        return ID_NONE, None
    qs = Person.objects.filter(id_number=id_number, merged_into__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if not qs.exists():
        return ID_NONE, None
    person = scope(qs, user).order_by("pk").first() if user is not None else None
    return (ID_FOUND, person) if person is not None else (ID_OUTSIDE, None)


def same_person_candidates(*, full_name: str, birth_year: int, commune, date_of_birth=None, exclude_pk=None):
    """The registry's duplicate rule (unscoped): same diacritic-folded name and date (or year) of birth in the same
    commune. services.possible_duplicates is this; other apps read it scoped, through possible_duplicates below."""
    from django.db.models import Q

    from core.text import fold

    qs = Person.objects.filter(commune=commune, name_folded=fold(full_name), birth_year=birth_year, merged_into__isnull=True)
    if date_of_birth:
        qs = qs.filter(Q(date_of_birth=date_of_birth) | Q(date_of_birth__isnull=True))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def possible_duplicates(user, *, full_name: str, birth_year: int, commune, date_of_birth=None, limit: int = 5) -> list[dict]:
    """Records the user may see that the registry's duplicate rule proposes (same_person_candidates): id, name and
    year of birth only."""
    qs = same_person_candidates(full_name=full_name, birth_year=birth_year, commune=commune, date_of_birth=date_of_birth)
    return list(scope(qs, user).order_by("pk").values("id", "full_name", "birth_year")[:limit])


# --- counting people on the units of their time (docs/geo.md, "What counts where after a re-homing") -------------
def of_their_time(area) -> bool:
    """Whether people are counted on `area` at their commune of the time (pre-2025 units and regions of pre-2025
    communes): a re-homed person still counts on the pre-2025 commune he lived in (`former_commune`). On the 2025 map
    everyone counts on his current commune, and the pre-2025 communes roll up into their successors (geo.areas)."""
    from geo import areas

    if areas.is_region(area):
        paths = area.commune_paths()
        return bool(paths) and not any(p.startswith("/n") for p in paths)
    return area is not None and not area.is_post_2025


def people_of_communes_q(commune_ids, *, of_their_time: bool):
    """Filter of the people of these communes for a count: on the pre-2025 map (`of_their_time`) also the people
    re-homed from them (a re-homed person's commune is a 2025 one, so nobody counts twice)."""
    from django.db.models import Q

    q = Q(commune_id__in=commune_ids)
    return q | Q(former_commune_id__in=commune_ids) if of_their_time else q


def summary_rows_sql(table: str, commune_ids, *, of_their_time: bool) -> str:
    """A FROM-clause source: the rows of a per-person summary table with its own `commune_id` that follows the
    person (the vaccination summary) for these communes; with `of_their_time` also those of the people re-homed from
    them, joined through the person's `former_commune` (a UNION ALL: an `IN (subquery)` beside an OR is not hashed by
    PostgreSQL beyond work_mem and ran for minutes on 580,000 re-homed people)."""
    listed = ",".join(str(int(i)) for i in commune_ids) or "NULL"
    own = f"SELECT * FROM {table} WHERE commune_id IN ({listed})"
    if not of_their_time or listed == "NULL":
        return f"({own})"
    return (f"({own} UNION ALL SELECT s.* FROM {table} s JOIN {Person._meta.db_table} p ON p.id = s.person_id "
            f"WHERE p.former_commune_id IN ({listed}) AND s.commune_id NOT IN ({listed}))")
