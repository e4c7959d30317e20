"""Bulk import of injections exported from the national vaccination platform (CSV or XLSX, Vietnamese headers).

Set-based, so that a province (1,500,000 doses) loads in seconds. The rows are validated in memory with polars
(columnar, on every core) and only the database's part goes to the database:
  1. the file is parsed into columns of text (polars' CSV reader; XLSX through openpyxl);
  2. dates, products (by every alias), dose kinds and numbers and communes are parsed and looked up with joins on small
     frames; people are matched by ID number, else by diacritic-folded name + date of birth + commune, with one join
     each inside the database (the distinct keys go in with COPY, the matches come back with COPY);
  3. the one-row checks are column expressions; the checks that need other rows (schedule in force for the age,
     too many doses, duplicates in the file, conflicts with earlier records, order / interval / mixing against the
     person's earlier and new doses) are joins and window expressions over the same people's recorded doses, read
     once;
  4. the good rows that are not yet recorded go in with one `COPY` (the same file twice adds nothing; a large
     import rebuilds the plain indexes once), then the per-person summary of the people touched, from the same frames.
Mode "all" (default) saves nothing if any row is bad; "valid_only" saves the good rows. Every bad row is reported
with its line, column and reason in Vietnamese and English.

Each stage is a module of vaccination/dose_stages/ (read: 1, match: 2, checks: 3, write: 4), a mixin of DoseImporter;
this module keeps the importer's state, its database plumbing and `run()`, which drives the stages.
"""
import datetime as dt
import hashlib
import io
import time

import polars as pl
from django.db import DatabaseError, connection, transaction

from core.errors import Invalid
from diseases.selectors import NoRuleInForce, get_disease

from .dose_stages.checks import CheckStage
from .dose_stages.common import (  # noqa: F401  (BulkResult, COLUMNS, MESSAGES: named by callers of vaccination.bulk)
    _PROFILE,
    COLUMNS,
    EPOCH,
    HEADER_OF,
    I32,
    I64,
    MESSAGES,
    STR,
    BulkResult,
    _frame,
)
from .dose_stages.match import MatchStage
from .dose_stages.read import ReadStage
from .dose_stages.write import WriteStage


class DoseImporter(ReadStage, MatchStage, CheckStage, WriteStage):
    """The import: `run()` drives the stages (dose_stages/read, match, checks, write) over one file."""

    keep_errors = 2000
    rebuild_indexes_from = 100_000  # new rows (and at least as many as present) from which a table's indexes are rebuilt

    def __init__(self, *, by, mode: str = "all", progress=None, today: dt.date | None = None, batch=None):
        self.by = by
        self.mode = mode
        self.progress = progress or (lambda phase, pct: None)
        self.today = today or dt.date.today()
        self.batch = batch
        self.pg = connection.vendor == "postgresql"
        self.errors = pl.DataFrame(schema={"line": I64, "code": STR})
        self.rule_gaps = pl.DataFrame(schema={"line": I64, "disease_id": I64, "given_day": I32})
        self.era_rows = pl.DataFrame(schema={"line": I64, "given_day": I32, "dose_commune_id": I64})

    # -- exchange with the database ----------------------------------------------------------------------------------
    def _x(self, cur, sql, params=None):
        t = time.perf_counter()
        cur.execute(sql, params or [])
        self._note(t, sql)

    @staticmethod
    def _note(t: float, what: str) -> None:
        if _PROFILE:
            print(f"  {time.perf_counter() - t:7.3f}s  {' '.join(what.split())[:110]}", flush=True)

    def _push(self, cur, table: str, columns: dict[str, str], df: pl.DataFrame) -> None:
        """A temporary table holding df's rows, to join against the large tables inside the database."""
        t = time.perf_counter()
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{c} {kind}' for c, kind in columns.items())})")
        df = df.select(list(columns))
        self._copy_rows(cur, table, df)
        if self.pg and df.height:
            cur.execute(f"ANALYZE {table}")  # temporary tables are never auto-analysed
        self._note(t, f"push {table}: {df.height:,} rows")

    def _copy_rows(self, cur, table: str, frame: pl.DataFrame) -> None:
        """Add frame's rows to table: PostgreSQL `COPY` (whole pages at a time), SQLite executemany."""
        if not frame.height:
            return
        names = ", ".join(frame.columns)
        if self.pg:
            with cur.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as cp:
                step = 200_000
                for i in range(0, frame.height, step):
                    cp.write(frame.slice(i, step).write_csv(include_header=False))
        else:
            dates = [k for k, v in frame.schema.items() if v == pl.Date]
            rows = frame.with_columns(*[pl.col(k).cast(STR) for k in dates]).rows()
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('%s' for _ in frame.columns)})", rows)

    def _pull(self, cur, sql: str, schema: dict) -> pl.DataFrame:
        """The rows of a query as a DataFrame (PostgreSQL: one COPY TO STDOUT)."""
        t = time.perf_counter()
        if self.pg:
            buf = io.BytesIO()
            with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as cp:
                for chunk in cp:
                    buf.write(chunk)
            df = (pl.read_csv(buf.getvalue(), has_header=False, schema=schema) if buf.tell()
                  else pl.DataFrame(schema=schema))
        else:
            cur.execute(sql)
            df = _frame(cur.fetchall(), schema)
        self._note(t, f"pull {df.height:,} rows: {sql}")
        return df

    def _dayno(self, expr: str) -> str:
        return f"({expr} - DATE '1970-01-01')" if self.pg else f"CAST(julianday({expr}) - 2440587.5 AS INTEGER)"


    # -- the pipeline ----------------------------------------------------------------------------------------------
    def run(self, data: bytes, filename: str) -> BulkResult:
        result = BulkResult()
        t0 = time.perf_counter()
        mark = {"t": t0}

        def tick(name, pct):
            now = time.perf_counter()
            result.timings[name] = round(now - mark["t"], 3)
            mark["t"] = now
            self.progress(name, pct)

        sha = hashlib.sha256(data).hexdigest()
        self.errors = self.errors.clear()
        self.rule_gaps = self.rule_gaps.clear()
        self.era_rows = self.era_rows.clear()
        rows = self._read(data, filename)
        result.total_rows = rows.height
        rows = self._refuse_unstorable(rows)
        tick("load", 25)
        self._reference()
        tick("reference", 30)
        with connection.cursor() as cur:
            if self.pg:
                # Big hash joins and sorts in memory; JIT compilation costs more than it saves on these statements.
                cur.execute("SET work_mem = '256MB'")
                cur.execute("SET jit = off")
            try:
                self._pipeline(cur, rows, filename, result, tick, sha)
            finally:
                if self.pg:
                    try:
                        cur.execute("RESET work_mem")
                        cur.execute("RESET jit")
                    except DatabaseError:  # the failed transaction rolls the settings back anyway
                        pass
        result.timings["total"] = round(time.perf_counter() - t0, 3)
        self.progress("done", 100)
        return result

    def _pipeline(self, cur, rows, filename, result, tick, sha) -> None:
        staged = self._parse(cur, rows)
        tick("parse_and_match", 60)
        new, seq, present = self._checks(cur, staged)
        tick("checks", 80)
        result.error_count = self.errors["line"].n_unique()
        result.skipped_duplicates = present
        result.errors = self.error_rows(limit=self.keep_errors)
        if result.error_count == 0 or self.mode == "valid_only":
            with transaction.atomic():
                if self.pg:
                    # Only this transaction: an import lost in a crash is simply run again (it is idempotent).
                    cur.execute("SET LOCAL synchronous_commit = off")
                result.imported = self._insert(cur, new)
                tick("insert", 92)
                self._summary(cur, seq, staged)
                tick("summary", 99)
                result.saved = True
                from audit.services import record

                record(actor=self.by if getattr(self.by, "pk", None) else None, action="import", target_label="vaccination.injection",
                       note=f"{filename}: {result.imported} imported, {result.skipped_duplicates} already present, "
                            f"{result.error_count} rejected (sha256 {sha[:12]})",
                       records={"batch": self.batch.pk if self.batch else None, "file_sha256": sha})


    registry_scan_below = 20  # keys per registry person above which one scan of the registry beats index probes
    probe_registry = False  # always probe the indexes (tests cover both ways)


    # -- the error report ------------------------------------------------------------------------------------------
    def error_rows(self, limit: int | None = None) -> list[dict]:
        errors = self.errors.head(limit) if limit else self.errors
        gaps = {line: (disease, day) for line, disease, day in self.rule_gaps.iter_rows()}
        worded: dict[tuple, tuple[str, str]] = {}  # (disease, day) → the rule base's words, once each
        eras = self._era_words()
        out = []
        for line, code in errors.iter_rows():
            key, vi, en = MESSAGES[code]
            if code == "no_schedule_rule" and line in gaps:
                if gaps[line] not in worded:
                    refusal = NoRuleInForce(get_disease(gaps[line][0]), "vaccination_schedule",
                                            EPOCH + dt.timedelta(days=gaps[line][1]))
                    worded[gaps[line]] = (refusal.vi, refusal.en)
                vi, en = worded[gaps[line]]
            if code == "era" and line in eras:
                vi, en = eras[line]
            out.append({"line": line, "column": HEADER_OF.get(key), "code": code, "message_vi": vi, "message_en": en})
        return out

    def _era_words(self) -> dict[int, tuple[str, str]]:
        """line → the era refusal's words (geo.eras, naming the date, the commune and its counterparts)."""
        from geo.areas import correspondents_of
        from geo.eras import refuse_counterparts
        from geo.models import AdministrativeUnit

        ids = set(self.era_rows["dose_commune_id"].to_list())
        units, others = AdministrativeUnit.objects.in_bulk(ids), correspondents_of(ids)
        out = {}
        for line, day, unit_id in self.era_rows.iter_rows():
            try:
                refuse_counterparts(units.get(unit_id), EPOCH + dt.timedelta(days=day), others.get(unit_id, []),
                                    what_vi="Mũi tiêm", what_en="A dose")
            except Invalid as exc:
                out[line] = (exc.vi, exc.en)
        return out

    def write_error_csv(self, target) -> int:
        """All rejected rows (line, column, code, vi, en) as CSV into a text stream."""
        from core.exports import SafeWriter

        rows = self.error_rows()
        w = SafeWriter(target)
        w.writerow(["Dòng/Line", "Cột/Column", "Mã/Code", "Lý do", "Reason"])
        for r in rows:
            w.writerow([r["line"], r["column"], r["code"], r["message_vi"], r["message_en"]])
        return len(rows)
