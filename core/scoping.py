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
    from geo.models import AdministrativeUnit

    q = unit_q(user, "")
    qs = AdministrativeUnit.objects.all()
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
