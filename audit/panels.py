"""The changes to a person's data (the record and what hangs from it: cases, tests, doses…) on the person's record
(core.panels): one query whatever their number. Reads ("view") and exports are not listed there: who read the record is
the administrators' full trail (audit:list, linked from the record for them)."""
from core.panels import PanelRow

from .models import Action, AuditEvent

CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.MERGE, Action.IMPORT)


def person_history(person, user, limit):
    # The person is already in the user's jurisdiction (the record page scoped it); these events concern that person.
    events = AuditEvent.objects.filter(person_id=person.pk, action__in=CHANGES).order_by("-at", "-id")
    return [PanelRow([e.at, e.get_action_display(), e.target_label, e.actor_label or "—"])
            for e in events.only("at", "action", "target_label", "actor_label")[:limit]]


def person_history_more(person, user):
    """The whole trail (reads included) is the administrators' (the record links it for them)."""
    from django.urls import reverse

    return f"{reverse('audit:list')}?person={person.pk}" if user.has_role({"sysadmin"}) else None
