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
