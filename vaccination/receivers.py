"""The vaccination summary (campaign targets and coverage count it by commune) follows a re-homed person.

PersonVaccination.commune is the person's current commune (derived data, rebuilt from people by the services):
one UPDATE for all the people a re-homing moved or put back. Doses keep the commune of the day they were given."""
from django.db import connection
from django.dispatch import receiver

from core.dataversion import bump
from people.models import Person
from people.signals import persons_rehomed

from .models import PersonVaccination

SUMMARY = PersonVaccination._meta.db_table


@receiver(persons_rehomed, dispatch_uid="vaccination.rehome_summary")
def rehome_summary(sender, *, moves_sql: str, params, undo: bool, **kwargs):
    people = Person._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""UPDATE {SUMMARY} SET commune_id = p.commune_id FROM ({moves_sql}) x, {people} p
                WHERE x.person_id = {SUMMARY}.person_id AND p.id = x.person_id""", params)
    # Cached coverage and campaign figures of the 2025 units change (pre-2025 units count people of their time).
    bump("vaccination")
