"""The times a person was someone's contact, on the person's record (core.panels): one query whatever their number."""
from django.urls import reverse

from core.panels import PanelRow
from core.scoping import scope

from .models import Contact


def person_contacts(person, user, limit):
    contacts = scope(Contact.objects.filter(person_id=person.pk), user).order_by("-last_exposure_on", "-id")
    return [PanelRow([c.last_exposure_on, c.get_generation_display(), f"F0 #{c.source_case_id}", c.quarantine_end,
                      c.get_status_display()], reverse("contacts:detail", args=[c.pk])) for c in contacts[:limit]]
