"""Fast path of cases.services.record_check on PostgreSQL: the check, its alert and timeline entry, the case's
last-check time and the audit row written in one SQL statement (data-modifying CTEs, built by cases.statements).

One round trip and the statement's own commit instead of seven queries: checks arrive hundreds per second
(bench/cases_board.py). Only record_check calls this, after validating the check exactly as on the ORM path; the rows
must be exactly those the ORM path writes — tests/cases/test_check_in_one_statement.py compares them field by field.
"""
from django.db import connection

from . import statements
from .models import Case, Check


def applies() -> bool:
    """True on PostgreSQL when Check's default label can be written in SQL (the audit row's target_label)."""
    return connection.vendor == "postgresql" and bool(statements.default_str_sql(Check, "c.id"))


def insert_check(*, case: Case, check: Check, alert, timeline, audit_event, taken_at) -> bool:
    """Write the unsaved `check` (nothing on a repeated idempotency key) and, only if it was stored: `alert` and
    `timeline` (or None), last_check_at moved forward, `audit_event` (audit.services.event's unsaved row, its target
    filled from the check). Sets the pks on `check` and `alert`. False when the key was stored before."""
    label_sql = statements.default_str_sql(Check, "c.id")
    parts = [statements.insert_sql(check, ignore_conflicts=True, returning=True)]
    names = ["c"]
    if alert:
        parts.append(statements.insert_sql(alert, source="c", exprs={"check_record_id": "c.id"}, returning=True))
        parts.append(statements.insert_sql(timeline, source="c"))
        names += ["a", "e"]
    qn = connection.ops.quote_name
    # Only ever moves forward, without touching the case's edit version.
    last = qn(Case._meta.get_field("last_check_at").column)
    parts.append((f"UPDATE {qn(Case._meta.db_table)} SET {last} = %s WHERE {qn(Case._meta.pk.column)} = %s AND "
                  f"({last} IS NULL OR {last} < %s) AND EXISTS (SELECT 1 FROM c)",
                  [taken_at, case.pk, taken_at]))
    parts.append(statements.insert_sql(audit_event, source="c",
                                       exprs={"target_id": "c.id::text", "target_label": f"left({label_sql}, 200)"}))
    names += ["u", "l"]
    sql = "WITH " + ", ".join(f"{n} AS ({p[0]})" for n, p in zip(names, parts, strict=True))
    sql += " SELECT c.id, " + ("(SELECT id FROM a)" if alert else "NULL") + " FROM c"
    with connection.cursor() as cur:
        cur.execute(sql, [x for p in parts for x in p[1]])
        row = cur.fetchone()
    if row is None:
        return False
    check.pk = row[0]
    check._state.adding, check._state.db = False, connection.alias
    if alert:
        alert.pk, alert.check_record = row[1], check
        alert._state.adding, alert._state.db = False, connection.alias
    return True
