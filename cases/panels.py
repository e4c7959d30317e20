"""The person's cases on the person's record (core.panels): one query whatever their number."""
from django.urls import reverse

from core.panels import PanelRow
from core.scoping import scope

from .models import Case


def person_cases(person, user, limit):
    cases = scope(Case.objects.filter(person_id=person.pk), user).select_related("disease").order_by("-confirmed_on", "-id")
    return [PanelRow([c.confirmed_on, c.disease.name, c.get_status_display(), c.get_care_setting_display(),
                      c.get_severity_display()], reverse("cases:detail", args=[c.pk])) for c in cases[:limit]]
