"""Reads of contact tracing for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

from django.db.models import Q

from .models import Contact, Generation


def f1_figures(day: dt.date, path_prefix: str | None) -> dict:
    """The daily report's F1 figures (people living under `path_prefix`; all when None): "f1_in_quarantine" — F1
    whose quarantine covers `day` and who did not become a case; "f1_new" — people identified as F1 that day
    (identified_on, not the day the row was typed in)."""
    current = (Contact.objects.filter(generation=Generation.F1, first_exposure_on__lte=day, quarantine_end__gte=day)
               .exclude(status=Contact.Status.CONVERTED))
    new = Contact.objects.filter(generation=Generation.F1, identified_on=day)
    if path_prefix is not None:
        current = current.filter(person__commune__path__startswith=path_prefix)
        new = new.filter(person__commune__path__startswith=path_prefix)
    return {"f1_in_quarantine": current.count(), "f1_new": new.count()}
def field_contacts(user, *, on, since=None):
    """Contacts under follow-up today that the user may see (core.scoping); with `since`, those changed after it."""
    from core.scoping import scope

    qs = scope(Contact.objects.filter(status=Contact.Status.FOLLOWING, follow_up_end__gte=on), user)
    if since is not None:
        qs = qs.filter(Q(updated_at__gt=since) | Q(person__updated_at__gt=since) | Q(checks__recorded_at__gt=since)).distinct()
    return qs


def field_contact_rows(contact_ids) -> dict:
    """The worklist fields of these contacts: one query."""
    rows = {}
    for c in (Contact.objects.filter(pk__in=list(contact_ids)).order_by("pk")
              .values("pk", "version", "generation", "last_exposure_on", "quarantine_end", "follow_up_end", "test_dates",
                      "last_check_on", "person_id", "person__version", "person__full_name", "person__birth_year",
                      "person__sex", "person__phone", "person__street", "person__village__name")):
        rows[c["pk"]] = {
            "id": c["pk"], "version": c["version"], "generation": c["generation"], "last_exposure_on": c["last_exposure_on"],
            "quarantine_end": c["quarantine_end"], "follow_up_end": c["follow_up_end"], "test_dates": c["test_dates"],
            "last_check_on": c["last_check_on"],
            "person": {"id": c["person_id"], "version": c["person__version"], "full_name": c["person__full_name"],
                       "birth_year": c["person__birth_year"], "sex": c["person__sex"], "phone": c["person__phone"],
                       "street": c["person__street"], "village": c["person__village__name"] or ""},
        }
    return rows
