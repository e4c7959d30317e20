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
