"""Reads of contact tracing for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

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
