"""Database triggers that make a table append-only even for raw SQL and bulk updates or deletes.

Used by the audit trail and the supplies ledger (their migrations call `forbid_changes_on`; tests that flush tables
drop and recreate the SQLite triggers from `sqlite_sql`).
"""


def postgresql_sql(prefix: str, table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {prefix}_forbid_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {prefix}_append_only ON {table};
CREATE TRIGGER {prefix}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {prefix}_forbid_change();
"""


def sqlite_sql(prefix: str, table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {prefix}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def forbid_changes_on(prefix: str, table: str):
    """A RunPython function installing the triggers on `table` for the connection's database."""

    def forbid_changes(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(postgresql_sql(prefix, table))
        elif schema_editor.connection.vendor == "sqlite":
            for sql in sqlite_sql(prefix, table):
                schema_editor.execute(sql)

    return forbid_changes
