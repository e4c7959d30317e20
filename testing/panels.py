"""A person's tests on the person's record (core.panels): one query whatever their number."""
from django.urls import reverse

from core.panels import PanelRow
from core.scoping import scope

from .models import Test


def person_tests(person, user, limit):
    tests = scope(Test.objects.filter(person_id=person.pk), user).order_by("-taken_on", "-id")
    return [PanelRow([t.taken_on, t.get_kind_display(), t.sample_code, t.get_result_display(), t.reported_on],
                     reverse("testing:detail", args=[t.pk])) for t in tests[:limit]]
