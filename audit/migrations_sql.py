"""A trigger makes the audit table append-only even for raw SQL and bulk deletes (core.append_only)."""
from core.append_only import forbid_changes_on, postgresql_sql, sqlite_sql

FORBID_SQL = postgresql_sql("audit", "audit_auditevent")
SQLITE_SQL = sqlite_sql("audit", "audit_auditevent")
forbid_changes = forbid_changes_on("audit", "audit_auditevent")
