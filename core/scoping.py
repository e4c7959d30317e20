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

# The administrative-unit model and its commune level, registered by the geo app at start-up (GeoConfig.ready):
# core sits below geo in the layer order (docs/architecture.md) and may not import it.
_units: dict = {}


def register_units(model, *, commune_level) -> None:
    _units.update(model=model, commune_level=commune_level)


def _unit(key: str):
    try:
        return _units[key]
    except KeyError:
        raise ImproperlyConfigured("core.scoping: no unit model registered (the `geo` app registers it in its ready()).")


def unit_q(user, prefix: str) -> Q | None:
    """A Q over the AdministrativeUnit at `prefix` for the user's jurisdiction; None means no restriction."""
    if user.sees_everything:
        return None
    unit = user.jurisdiction_unit
    if unit is None:
        return Q(pk__in=[])  # e.g. an agency officer: no access to place-bound records
    lookup = f"{prefix}__" if prefix else ""
    q = Q(**{f"{lookup}path__startswith": unit.path})
    if unit.is_post_2025:
        # History stays on the units of its time; show it to whoever now governs those places.
        q |= Q(**{f"{lookup}successor_links__new_unit__path__startswith": unit.path})
    return q


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
    qs = queryset.filter(q)
    # The post-2025 branch joins a to-many relation: keep rows unique.
    return qs.distinct() if user.jurisdiction_unit is not None and user.jurisdiction_unit.is_post_2025 else qs


def visible_units(user):
    """Administrative units inside the user's jurisdiction (for pickers and filters)."""
    q = unit_q(user, "")
    qs = _unit("model").objects.all()
    if q is None:
        # Someone who sees everything picks among the installation's province and the 2025 units that succeed its
        # places, not among Vietnam's 14,000 units (a <select> of them took 27 s to render).
        from django.conf import settings

        prefix = f"/{settings.PHONGDICH_PROVINCE_CODE}/"
        return qs.filter(Q(path__startswith=prefix) | Q(predecessor_links__old_unit__path__startswith=prefix)).distinct()
    return qs.filter(q).distinct()


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


# people.selectors.lookup_person_by_national_id answers it with the values above.


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
    return set(visible_units(user).filter(level=_unit("commune_level")).values_list("pk", flat=True))
