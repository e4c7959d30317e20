"""The dose import (vaccination.bulk.DoseImporter), stage 4. Write: the good rows not yet recorded in one COPY (a
large import rebuilds the plain indexes once), then the
per-person summary of the people touched.

A mixin of DoseImporter: it uses the importer's state and its database plumbing (_x, _push, _pull, _copy_rows).
"""
import time

import polars as pl
from django.db import connection
from django.utils import timezone

from core.dataversion import bump

from .common import I32, I64


class WriteStage:
    # -- writing ---------------------------------------------------------------------------------------------------
    def _insert(self, cur, new: pl.DataFrame) -> int:
        c = pl.col
        out = new.select(
            "person_id", c("dose_commune_id").alias("commune_id"), "product_id", "schedule_id", c("kind").alias("dose_kind"),
            "dose_number", c("given_day").cast(pl.Date).alias("given_on"), c("lot").fill_null(""), c("site").fill_null(""),
            (c("completes") == 1).alias("completes_primary"))
        if self.batch:
            out = out.with_columns(pl.lit(self.batch.pk, I64).alias("batch_id"))
        if not self.pg:  # PostgreSQL fills the bookkeeping columns with their defaults (migration 0006)
            stamp = connection.ops.adapt_datetimefield_value(timezone.now())
            out = out.with_columns(pl.lit("import").alias("source"), pl.lit("").alias("vaccinator_name"), pl.lit("[]").alias("warnings"),
                                   pl.lit("").alias("override_reason"), pl.lit(1).alias("version"),
                                   pl.lit(stamp).alias("created_at"), pl.lit(stamp).alias("updated_at"))
        self._write(cur, "vaccination_injection", out)
        return out.height

    def _write(self, cur, table: str, frame: pl.DataFrame) -> None:
        """Add frame's rows to one of the import's tables, its indexes rebuilt afterwards after a first load."""
        rebuild = self._drop_indexes(cur, table, frame.height) if self.pg and frame.height else []
        t = time.perf_counter()
        self._copy_rows(cur, table, frame)
        self._note(t, f"write {frame.height:,} rows into {table}")
        for sql in rebuild:
            self._x(cur, sql)

    def _drop_indexes(self, cur, table: str, adding: int) -> list[str]:
        """When the new rows at least double the table (a first load), building its indexes once after the COPY is
        much cheaper than maintaining them row by row. All of them, unique ones included, are dropped and rebuilt
        inside the import's transaction: readers of the table wait for it rather than see it without them, and
        rebuilding a unique index checks every row again. Returns the statements that rebuild them."""
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        present = max(cur.fetchone()[0], 0)
        if adding < max(present, self.rebuild_indexes_from):
            return []
        # Indexes that a foreign key of another table relies on stay.
        cur.execute("""SELECT ic.relname, con.conname, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(con.oid)
                       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                                   AND con.contype IN ('p', 'u')
                       WHERE i.indrelid = %s::regclass AND NOT EXISTS (
                           SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)""", [table])
        rebuild = []
        for index, constraint, index_sql, constraint_sql in cur.fetchall():
            if constraint:
                self._x(cur, f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_sql}')
            else:
                self._x(cur, f'DROP INDEX "{index}"')
                rebuild.append(index_sql)
        if rebuild:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        return rebuild

    def _summary(self, cur, seq: pl.DataFrame, staged: pl.DataFrame) -> None:
        """The per-person summary of everyone with a new row, from the doses already in memory (their earlier doses
        and the new ones) instead of re-reading the injections: the same figures as services.refresh_summary."""
        c = pl.col
        touched = seq.filter(c("line").is_not_null()).select("person_id").unique()
        people = staged.filter(c("person_id").is_not_null()).select("person_id", "person_commune_id", "person_birth_day").unique("person_id")
        kept = seq.filter(~c("refused")).join(touched, on="person_id", how="semi")
        rows = (kept.group_by("person_id").agg(
                    c("given_day").min().alias("first_on"),
                    c("given_day").filter(c("completes") == 1).min().alias("primary_done_on"),
                    c("given_day").filter(c("kind") == "additional").min().alias("additional_on"),
                    c("given_day").filter(c("kind") == "booster").min().alias("booster1_on"),
                    c("given_day").max().alias("last_on"), pl.len().cast(I32).alias("dose_count"))
                .join(people, on="person_id")
                .select("person_id", c("person_commune_id").alias("commune_id"), c("person_birth_day").alias("birth_date"),
                        "first_on", "primary_done_on", "additional_on", "booster1_on", "last_on", "dose_count")
                .with_columns(*[c(k).cast(pl.Date) for k in ("birth_date", "first_on", "primary_done_on", "additional_on",
                                                             "booster1_on", "last_on")]))
        self._push(cur, "vimp_touched", {"person_id": "bigint"}, touched)
        bump("vaccination")  # cached coverage figures (core.dataversion), on commit
        self._x(cur, "DELETE FROM vaccination_personvaccination WHERE person_id IN (SELECT person_id FROM vimp_touched)")
        self._write(cur, "vaccination_personvaccination", rows)
