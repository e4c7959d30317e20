"""Cleaned import rows staged in a temporary table instead of Python memory (bench/people_import_memory.py).

A million cleaned rows held as Python objects cost about 1 kB each; in a TEMP table they cost the database's disk
pages, and the checks across rows (duplicates in the file, matches against the registry) become set-based SQL.
PostgreSQL fills the table with COPY, SQLite with executemany, a chunk at a time. The table lives on the
importing connection only and is dropped when the import ends.

Each staged row has its file `line` (the key) and a `flag`: OK, ERROR (reported as a row error) or SKIPPED
(reported as already present, not an error). Only OK rows are read back for saving.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)

OK, ERROR, SKIPPED = 0, 1, 2
CHUNK = 5000


class Stage:
    """A TEMP table `name` with columns {name: "int" | "text" | "date"} besides `line` and `flag`."""

    def __init__(self, name: str, columns: dict[str, str], *, indexes: tuple[tuple[str, ...], ...] = ()):
        self.name, self.columns, self.indexes = name, columns, indexes
        self.pg = connection.vendor == "postgresql"
        self._dates = [i for i, kind in enumerate(columns.values()) if kind == "date"]
        self._buffer: list[tuple] = []
        self.count = 0
        types = {"int": "INTEGER", "text": "TEXT", "date": "DATE" if self.pg else "TEXT"}
        cols = ", ".join(f"{c} {types[kind]}" for c, kind in columns.items())
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            cur.execute(f"CREATE TEMP TABLE {name} (line INTEGER PRIMARY KEY, flag SMALLINT NOT NULL DEFAULT 0, {cols})")

    def add(self, line: int, values: tuple) -> None:
        """One cleaned row (values in the order of `columns`); written with the next full chunk."""
        if self._dates:
            values = list(values)
            for i in self._dates:
                if isinstance(values[i], dt.date):
                    values[i] = values[i].isoformat()
        self._buffer.append((line, *values))
        self.count += 1
        if len(self._buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        names = ", ".join(("line", *self.columns))
        with connection.cursor() as cur:
            if self.pg:
                with connection.wrap_database_errors, cur.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                    for row in self._buffer:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(self.columns) + 1))
                cur.executemany(f"INSERT INTO {self.name} ({names}) VALUES ({marks})", self._buffer)
        self._buffer = []

    def finish(self) -> None:
        """All rows are in: index the table for the checks (an index built once is cheaper than one kept up)."""
        self.flush()
        with connection.cursor() as cur:
            for i, cols in enumerate(self.indexes):
                cur.execute(f"CREATE INDEX {self.name}_ix{i} ON {self.name} ({', '.join(cols)})")
            if self.pg:
                cur.execute(f"ANALYZE {self.name}")  # temporary tables are never auto-analysed

    def flag(self, lines_sql: str, params: list, flag: int) -> int:
        """Flag the rows whose line the query selects; returns how many."""
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {self.name} SET flag = %s WHERE line IN ({lines_sql})", [flag, *params])
            return cur.rowcount

    def flag_lines(self, lines: list[int], flag: int) -> None:
        with connection.cursor() as cur:
            for i in range(0, len(lines), CHUNK):
                chunk = lines[i:i + CHUNK]
                cur.execute(f"UPDATE {self.name} SET flag = %s WHERE line IN ({', '.join(['%s'] * len(chunk))})", [flag, *chunk])

    def query(self, sql: str, params: list | None = None):
        """The rows of a query, fetched a chunk at a time (a server-side cursor on PostgreSQL)."""
        with connection.chunked_cursor() as cur:
            cur.execute(sql, params or [])
            while rows := cur.fetchmany(CHUNK):
                yield from rows

    def ok_rows(self, columns: list[str]):
        """(line, *columns) of the rows still OK, in line order, one page at a time (keyset on line)."""
        names = ", ".join(("line", *columns))
        last = 0
        while True:
            with connection.cursor() as cur:
                cur.execute(f"SELECT {names} FROM {self.name} WHERE flag = {OK} AND line > %s ORDER BY line LIMIT {CHUNK}", [last])
                page = cur.fetchall()
            if not page:
                return
            yield from page
            last = page[-1][0]

    def drop(self) -> None:
        try:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {self.name}")
        except DatabaseError:  # an aborted transaction: the table goes with the connection
            log.warning("import stage %s not dropped", self.name, exc_info=True)
