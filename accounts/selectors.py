"""Reads of the accounts app for other apps (docs/architecture.md, "Selectors")."""
from django.db.models import QuerySet

from .models import Agency


def agencies() -> QuerySet:
    """The province's departments and agencies (pickers: whom a task or a citizen's feedback goes to), by name."""
    return Agency.objects.order_by("name")


def agency(pk) -> Agency | None:
    """The agency with this id, or None (an id from a form)."""
    return Agency.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
