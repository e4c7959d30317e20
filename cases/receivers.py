"""Cases follow their person when the registry re-homes him (people.signals.persons_rehomed).

Only open (active) cases move: a closed case keeps the commune of its time. One UPDATE … FROM and one audit row per
case moved, whatever the number of people."""
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone

from audit.services import insert_from_select
from people.signals import persons_rehomed

from .models import Case, Status

CASE = Case._meta.db_table


@receiver(persons_rehomed, dispatch_uid="cases.rehome_open_cases")
def rehome_open_cases(sender, *, moves_sql: str, params, undo: bool, by=None, **kwargs):
    to_col, from_col = ("old_commune_id", "new_commune_id") if undo else ("new_commune_id", "old_commune_id")
    with connection.cursor() as cur:
        # The audit rows first, while the cases are still on the commune they leave.
        insert_from_select(
            actor=by, action="update", target_type="cases.case",
            note="Ca bệnh đang điều trị theo người bệnh sang xã/phường mới (chuyển địa bàn) / Open case follows its "
                 "re-homed person" if not undo else "Hoàn tác chuyển địa bàn / Re-homing undone",
            source_sql=f"""SELECT CAST(c.id AS TEXT) AS target_id, CAST(c.id AS TEXT) AS target_label,
                    c.person_id AS person_id,
                    '{{"commune_id": [' || CAST(x.{from_col} AS TEXT) || ', ' || CAST(x.{to_col} AS TEXT) || ']}}' AS changes
                FROM {CASE} c JOIN ({moves_sql}) x ON x.person_id = c.person_id
                WHERE c.status = %s AND c.commune_id = x.{from_col}""",
            params=[*params, Status.ACTIVE],
        )
        cur.execute(
            f"""UPDATE {CASE} SET commune_id = x.{to_col}, version = version + 1, updated_at = %s
                FROM ({moves_sql}) x WHERE x.person_id = {CASE}.person_id AND {CASE}.status = %s
                    AND {CASE}.commune_id = x.{from_col}""",
            [timezone.now(), *params, Status.ACTIVE])
