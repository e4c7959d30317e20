"""A trigger makes the stock ledger append-only even for raw SQL and bulk updates (core.append_only, as for the
audit trail)."""
from core.append_only import forbid_changes_on, postgresql_sql, sqlite_sql

FORBID_SQL = postgresql_sql("supplies", "supplies_movement")
SQLITE_SQL = sqlite_sql("supplies", "supplies_movement")
forbid_changes = forbid_changes_on("supplies", "supplies_movement")
