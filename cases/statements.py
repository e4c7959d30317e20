"""Several rows written in one SQL statement on PostgreSQL (data-modifying CTEs): one round trip and, outside a
transaction, one implicit commit, instead of BEGIN, one query per row and COMMIT. Checks arrive hundreds per second
and most of a check's time was spent on those round trips.
"""
from django.db import connection
from django.db.models import Model


def insert_sql(obj, *, source: str = "", exprs: dict | None = None, ignore_conflicts: bool = False,
               returning: bool = False) -> tuple[str, list]:
    """(sql, params) inserting the unsaved model instance `obj`: one row with its values, or, with `source` (a CTE
    name), one row per row of `source`, the columns named in `exprs` ({attname: SQL over source}) taken from it.

    Values are prepared as Model.save() prepares them (pre_save: auto_now_add; get_db_prep_save: JSON, decimals);
    PostgreSQL gives the untyped literals of an INSERT … SELECT the column types."""
    exprs = exprs or {}
    qn = connection.ops.quote_name
    meta = obj._meta
    cols, vals, params = [], [], []
    for f in meta.local_concrete_fields:
        if f.attname in exprs:
            vals.append(exprs[f.attname])
        elif f.primary_key:
            continue  # from the table's identity
        else:
            vals.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(obj, add=True), connection))
        cols.append(qn(f.column))
    body = f"SELECT {', '.join(vals)} FROM {source}" if source else f"VALUES ({', '.join(vals)})"
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(cols)}) {body}"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {qn(meta.pk.column)}"
    return sql, params


def default_str_sql(model, id_sql: str) -> str | None:
    """SQL for str() of a `model` instance whose pk is `id_sql`, as Django's Model.__str__ writes it ("Check object (7)");
    None when the model has its own __str__ (the caller then writes through the ORM)."""
    if model.__str__ is not Model.__str__:
        return None
    return f"'{model.__name__} object (' || {id_sql} || ')'"
