"""A database trigger makes the stock ledger append-only even for raw SQL and bulk updates (as for the audit trail)."""

FORBID_SQL = """
CREATE OR REPLACE FUNCTION supplies_forbid_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'supplies_movement is append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS supplies_append_only ON supplies_movement;
CREATE TRIGGER supplies_append_only BEFORE UPDATE OR DELETE ON supplies_movement
FOR EACH ROW EXECUTE FUNCTION supplies_forbid_change();
"""
SQLITE_SQL = [
    "CREATE TRIGGER IF NOT EXISTS supplies_no_update BEFORE UPDATE ON supplies_movement BEGIN SELECT RAISE(ABORT, 'supplies_movement is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS supplies_no_delete BEFORE DELETE ON supplies_movement BEGIN SELECT RAISE(ABORT, 'supplies_movement is append-only'); END;",
]


def forbid_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID_SQL)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)
