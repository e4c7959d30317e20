"""Jurisdiction scoping: the one place that decides which records a user may see.

Every list, detail, export and API endpoint gets its queryset through `scope(queryset, user)` (or the
mixins in core.views / core.api built on it). A model declares where its jurisdiction lies:

* `jurisdiction_field = "commune"`: a lookup path to a geo.AdministrativeUnit; the user sees rows whose
  unit is his own unit or lies below it (materialised path prefix), and, for a user on a unit of the
  post-2025 structure, rows recorded on the pre-2025 units that became part of it.
* or a classmethod `scope_for_user(queryset, user)` for records whose scope is not a place
  (e.g. a department's tasks), still called only from here.

Outsiders get an empty queryset, so detail views answer 404, never 403 with a hint that the record exists.
"""
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.http import Http404


def unit_q(user, prefix: str) -> Q | None:
    """A Q over the AdministrativeUnit at `prefix` for the user's jurisdiction; None means no restriction.

    What a unit or a health region covers is decided by geo.areas.under_q (a 2025 unit also covers the pre-2025
    communes it absorbed); this function only decides whose area it is.
    """
    from geo.areas import under_q

    if user.sees_everything:
        return None
    area = jurisdiction_area(user)
    if area is None:
        return Q(pk__in=[])  # e.g. an agency officer: no access to place-bound records
    return under_q(area, prefix)


def jurisdiction_area(user):
    """The unit or health region the user's jurisdiction is (None: no place, e.g. an agency officer)."""
    region = getattr(user, "jurisdiction_region", None)
    return region if region is not None else user.jurisdiction_unit


def jurisdiction_paths(user) -> list[str]:
    """Paths of the user's unit, or of each commune of his health region ([] without a place): for records that
    concern a whole area and are seen from every unit inside it (e.g. a screening campaign of a district)."""
    from geo.areas import is_region

    area = jurisdiction_area(user)
    if area is None:
        return []
    return list(area.commune_paths()) if is_region(area) else [area.path]


def scope(queryset: QuerySet, user) -> QuerySet:
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    custom = getattr(model, "scope_for_user", None)
    if custom is not None:
        return custom(queryset, user)
    field = getattr(model, "jurisdiction_field", None)
    if field is None:
        raise ImproperlyConfigured(f"{model.__name__} declares neither jurisdiction_field nor scope_for_user")
    q = unit_q(user, field)
    if q is None:
        return queryset
    return queryset.filter(q)  # geo.areas.under_q joins no to-many relation: rows stay unique


def visible_units(user):
    """Administrative units inside the user's jurisdiction (for pickers and filters)."""
    from geo.areas import installation_units_q
    from geo.models import AdministrativeUnit

    q = unit_q(user, "")
    qs = AdministrativeUnit.objects.all()
    if q is None:
        # Someone who sees everything picks among the installation's units on both structures (its province and
        # the places it covers), not among Vietnam's 14,000 units (a <select> of them took 27 s to render).
        return qs.filter(installation_units_q())
    return qs.filter(q)


def get_for_user(queryset_or_model, user, **lookup):
    """The object if the user may see it, else 404."""
    qs = queryset_or_model if isinstance(queryset_or_model, QuerySet) else queryset_or_model.objects.all()
    try:
        return scope(qs, user).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404


# --- "Does this ID exist?" ---------------------------------------------------------------------------------
# The answer itself is personal data: a person outside the user's area is only said to exist, never named
# or numbered, so a form cannot be used to probe the province's registry for someone's name or record.
ID_FOUND, ID_OUTSIDE, ID_NONE = "found", "outside", "none"
# One wording for forms, API and import rows (imports prefix the field: "Số giấy tờ …", "The ID number or name …").
OUTSIDE_PERSON_VI = "thuộc một người ngoài địa bàn quản lý của bạn"
OUTSIDE_PERSON_EN = "belongs to a person outside your jurisdiction"
OUTSIDE_JURISDICTION = (f"Số giấy tờ {OUTSIDE_PERSON_VI}.", f"The ID number {OUTSIDE_PERSON_EN}.")


def lookup_person_by_national_id(user, id_number: str, *, exclude_pk=None):
    """(ID_FOUND, person) if the user may see the record with this ID, (ID_OUTSIDE, None) if one exists outside
    the user's jurisdiction (or there is no user: public forms), (ID_NONE, None) if no current record has it."""
    from people.models import Person

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


# -- imports: rows that name records outside the user's jurisdiction ---------------------------------------------------
# An import row whose ID number belongs to someone the user may not see gets OUTSIDE_PERSON_* above: it names
# nothing (no name, number or record id), so a file cannot be used to probe the registry of other communes.


def split_in_scope(queryset: QuerySet, user) -> tuple[set, set]:
    """(pks the user may see, pks he may not) among `queryset`'s rows: two set-based queries, never one per row."""
    every = set(queryset.values_list("pk", flat=True))
    if not every:
        return set(), set()
    visible = set(scope(queryset.model.objects.filter(pk__in=every), user).values_list("pk", flat=True))
    return visible, every - visible


def visible_commune_ids(user) -> set | None:
    """Ids of the communes inside the user's jurisdiction; None when he sees the whole installation."""
    if user is not None and getattr(user, "sees_everything", False):
        return None
    from geo.models import Level

    return set(visible_units(user).filter(level=Level.COMMUNE).values_list("pk", flat=True))
