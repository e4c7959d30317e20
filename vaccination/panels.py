"""A person's doses on the person's record (core.panels): one query whatever their number. The full record, the form
to record a dose and the certificate are one click away (core.links)."""
from django.urls import reverse

from core.panels import PanelRow
from core.scoping import scope

from .models import Injection


def person_doses(person, user, limit):
    doses = scope(Injection.objects.filter(person_id=person.pk), user).select_related("product").order_by("-given_on", "-id")
    url = reverse("vaccination:person", args=[person.pk])
    return [PanelRow([d.given_on, f"{d.get_dose_kind_display()} {d.dose_number}", d.product.name, d.lot], url)
            for d in doses[:limit]]


def person_doses_more(person, user):
    return reverse("vaccination:person", args=[person.pk])
