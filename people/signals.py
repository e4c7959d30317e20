"""Signals of the people registry, for the care apps that keep a copy of a person's place."""
from django.dispatch import Signal

# Sent (in the same transaction) after a re-homing moved people to their 2025 commune, or put them back (undo=True).
# Keyword arguments: moves_sql, a SELECT of (person_id, old_commune_id, new_commune_id) with `params`; undo; by.
# A receiver moves its open records of those people in one statement (cases.receivers, vaccination.receivers).
persons_rehomed = Signal()
