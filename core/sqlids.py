"""`field__in=ids_in(ids)` for thousands of ids (a country-wide aggregate over 13,000 communes).

On PostgreSQL the ids travel as one array parameter (`IN (SELECT unnest(%s::bigint[]))`): a literal list of 13,000
placeholders cost more to build, bind and parse than the scan it restricts. Elsewhere (SQLite, the tests) the plain
list."""
from django.db import connection
from django.db.models.expressions import RawSQL


def ids_in(ids):
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        # The array as its text literal, built once: psycopg would dump the list again for every query using it.
        return RawSQL("SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"])
    return ids
