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
"""
import csv
import datetime as dt
import hashlib
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.dataversion import bump
from core.imports import (
    CELL_MAX,
    UNSTORABLE_EN,
    UNSTORABLE_PATTERN,
    UNSTORABLE_VI,
    Column,
    FileRejected,
    decode_text,
    map_header,
    read_rows,
    sniff_dialect,
    too_long_messages,
)
from core.scoping import OUTSIDE_PERSON_EN, OUTSIDE_PERSON_VI, visible_commune_ids
from core.text import fold

from .models import DosePolicy, Product, Schedule

# key, accepted headers (compared diacritic- and case-insensitively), required
COLUMNS = [
    Column("id_number", ("Số CCCD/CMND", "Mã định danh", "Số định danh", "CCCD", "CMND", "Số giấy tờ", "ID number"), required=False),
    Column("full_name", ("Họ và tên", "Họ tên", "Full name"), required=True),
    Column("dob", ("Ngày sinh", "Date of birth"), required=True),
    Column("commune", ("Mã xã", "Mã xã/phường", "Commune code"), required=False),
    Column("product", ("Tên vắc xin", "Vắc xin", "Loại vắc xin", "Vaccine"), required=True),
    Column("kind", ("Loại mũi", "Loại liều", "Dose kind"), required=False),
    Column("number", ("Mũi số", "Mũi tiêm", "Liều số", "Dose number"), required=True),
    Column("given", ("Ngày tiêm", "Date given"), required=True),
    Column("lot", ("Số lô", "Lot"), required=False),
    Column("site", ("Cơ sở tiêm", "Điểm tiêm", "Site"), required=False),
]
HEADER_OF = {c.key: c.headers[0] for c in COLUMNS}

KIND_WORDS = {
    "primary": ["Cơ bản", "Liều cơ bản", "Mũi cơ bản", "primary", "CB", ""],
    "additional": ["Bổ sung", "Liều bổ sung", "Mũi bổ sung", "additional", "BS"],
    "booster": ["Nhắc lại", "Liều nhắc lại", "Mũi nhắc lại", "Nhắc lại lần 1", "Nhắc lại lần 2", "booster", "NL"],
}

# code → (column key, vi, en)
MESSAGES = {
    "given_date": ("given", "Ngày tiêm không hợp lệ (dd/mm/yyyy).", "Invalid date given (dd/mm/yyyy)."),
    "future": ("given", "Ngày tiêm ở tương lai.", "The date given is in the future."),
    "dob": ("dob", "Ngày sinh không hợp lệ (dd/mm/yyyy hoặc năm sinh).", "Invalid date of birth (dd/mm/yyyy or year)."),
    "before_birth": ("given", "Ngày tiêm trước ngày sinh.", "The date given is before the date of birth."),
    "product": ("product", "Không nhận ra tên vắc xin.", "Unknown vaccine product."),
    "kind": ("kind", "Loại mũi phải là Cơ bản, Bổ sung hoặc Nhắc lại.", "Dose kind must be primary, additional or booster."),
    "number": ("number", "Mũi số phải là số từ 1 đến 9.", "Dose number must be a number from 1 to 9."),
    "commune": ("commune", "Không có xã/phường với mã này.", "No commune with this code."),
    "bad_id": ("id_number", "Số giấy tờ sai quy tắc: CCCD 12 chữ số (3 số đầu là mã tỉnh), CMND 9 chữ số, hộ chiếu 6–12 chữ và số.",
               "Invalid ID number: a CCCD has 12 digits (the first three a province code), a CMND 9, a passport 6–12 letters and digits."),
    "bad_name": ("full_name", "Họ tên không hợp lệ (không có chữ số, tối đa 150 ký tự).",
                 "Invalid full name (no digits, 150 characters at most)."),
    "unmatched": ("full_name", "Không tìm thấy người này (theo số giấy tờ, hoặc họ tên + ngày sinh + xã).",
                  "Person not found (by ID, or by name + date of birth + commune)."),
    "ambiguous": ("full_name", "Có nhiều người trùng họ tên, ngày sinh và xã: cần số giấy tờ.",
                  "Several people share this name, date of birth and commune: an ID number is needed."),
    "out_of_scope": ("id_number", f"Số giấy tờ hoặc họ tên {OUTSIDE_PERSON_VI}.", f"The ID number or name {OUTSIDE_PERSON_EN}."),
    "before_approval": ("given", "Ngày tiêm trước ngày vắc xin được phê duyệt.", "The date given is before the product's approval."),
    "schedule": ("product", "Không có lịch tiêm vắc xin này cho độ tuổi vào ngày tiêm.",
                 "No schedule of this product for the person's age on that date."),
    "too_many": ("number", "Vượt quá số mũi của loại này.", "More doses than this kind allows."),
    "no_policy": ("kind", "Chưa có quy định mũi bổ sung/nhắc lại vào ngày tiêm.", "No additional/booster rule in force on that date."),
    "not_booster": ("product", "Vắc xin này không dùng làm mũi bổ sung/nhắc lại.", "This product is not used for additional/booster doses."),
    "wrong_age": ("dob", "Chưa đủ tuổi tiêm mũi bổ sung/nhắc lại.", "Too young for an additional/booster dose."),
    "duplicate_in_file": ("number", "Mũi này xuất hiện nhiều lần trong tệp.", "This dose appears more than once in the file."),
    "conflict": ("given", "Mũi này đã được ghi nhận với ngày tiêm hoặc vắc xin khác.",
                 "This dose is already recorded with another date or product."),
    "out_of_order": ("number", "Thiếu mũi trước đó (mũi tiêm không theo thứ tự).", "An earlier dose is missing (doses out of order)."),
    "too_early": ("given", "Quá sớm so với mũi trước theo lịch tiêm.", "Too early after the previous dose under the schedule."),
    "unstorable": (None, UNSTORABLE_VI, UNSTORABLE_EN),
    "too_long": (None, *too_long_messages(CELL_MAX)),
    "lot": ("lot", "Số lô quá dài (tối đa 40 ký tự).", "The lot number is too long (40 characters at most)."),
    "site": ("site", "Tên cơ sở tiêm quá dài (tối đa 200 ký tự).", "The site name is too long (200 characters at most)."),
    "forbidden_mix": ("product", "Không được phối hợp vắc xin này với mũi trước trong liều cơ bản.",
                      "This product may not follow the previous one in the primary series."),
    "primary_incomplete": ("kind", "Chưa đủ liều cơ bản trước mũi bổ sung/nhắc lại.",
                           "The primary series is not complete before this additional/booster dose."),
}

EPOCH = dt.date(1970, 1, 1)
_PROFILE = os.environ.get("VIMP_PROFILE", "")  # print each step's time (bench/vaccination_import.py --profile)
YEAR_FIRST, YEAR_LAST = 1900, 2035  # dates outside are typing errors, not doses or births
FAR = 999_999
I64, I32, STR = pl.Int64, pl.Int32, pl.String
TEXT_LIMITS = {"lot": 40, "site": 200}  # the injection's column lengths


@dataclass
class BulkResult:
    total_rows: int = 0
    imported: int = 0
    skipped_duplicates: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # dicts: line, column, code, message_vi, message_en (first `keep`)
    saved: bool = False
    timings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"total_rows": self.total_rows, "imported": self.imported, "skipped_duplicates": self.skipped_duplicates,
                "error_count": self.error_count, "saved": self.saved, "errors": self.errors}


def _id_refused(number: str) -> bool:
    from core.errors import Invalid
    from people.rules import check_id_number

    try:
        check_id_number(number)
    except Invalid:
        return True
    return False


def _name_refused(name: str) -> bool:
    from core.errors import Invalid
    from people.rules import check_full_name

    try:
        check_full_name(name)
    except Invalid:
        return True
    return False


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _frame(rows, schema: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


class DoseImporter:
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

    # -- reading ---------------------------------------------------------------------------------------------------
    def _read(self, data: bytes, filename: str) -> pl.DataFrame:
        """The file's rows as trimmed text: `line` as the user counts (the header is line 1) and one column per key."""
        suffix = Path(filename).suffix.lower()
        if suffix in {".xlsx", ".xlsm"}:
            header, cells = read_rows(data, filename)
            rows = [(line, [_cell_text(c) for c in r]) for line, r in cells]
            index = map_header(header, COLUMNS)
            frame = pl.DataFrame({"line": [line for line, _ in rows],
                                  **{key: [r[i] if i < len(r) else None for _, r in rows] for key, i in index.items()}},
                                 schema={"line": I64, **{key: STR for key in index}})
        elif suffix in {".csv", ".txt", ""}:
            raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            try:
                text, utf8 = raw.decode("utf-8"), True
            except UnicodeDecodeError:  # UTF-16 with BOM, or a legacy code page recognised with confidence
                text, utf8 = decode_text(data), False
            dialect = sniff_dialect(text)
            first = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 if "\n" in text else len(text)]), dialect), None)
            if not first:
                raise FileRejected("Tệp rỗng.", "The file is empty.")
            index = map_header([h.strip() for h in first], COLUMNS)
            try:  # polars parses the CSV on every core; blank lines stay as empty rows, so the numbering holds
                df = pl.read_csv(raw if utf8 else text.encode("utf-8"), has_header=True, infer_schema=False,
                                 separator=dialect.delimiter, quote_char=dialect.quotechar or '"', row_index_name="__rid",
                                 truncate_ragged_lines=True, raise_if_empty=False)
            except pl.exceptions.PolarsError as exc:
                raise FileRejected(f"Không đọc được tệp CSV: {exc}"[:300], f"The CSV file cannot be read: {exc}"[:300])
            names = df.columns[1:]
            frame = df.select((pl.col("__rid").cast(I64) + 2).alias("line"),
                              *[pl.col(names[i]).alias(key) for key, i in index.items() if i < len(names)])
        else:
            raise FileRejected(f"Định dạng tệp không được hỗ trợ: {suffix}. Dùng CSV hoặc XLSX.",
                               f"Unsupported file type: {suffix}. Use CSV or XLSX.")
        keys = [c.key for c in COLUMNS]
        frame = frame.with_columns(*[pl.lit(None, STR).alias(k) for k in keys if k not in frame.columns])
        frame = frame.with_columns(*[pl.col(k).str.strip_chars() for k in keys])
        return frame.filter(pl.any_horizontal(*[pl.col(k).is_not_null() & (pl.col(k) != "") for k in keys]))

    def _refuse_unstorable(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows with a cell the database cannot store (NUL, control characters, impossible bytes, over-long text) are
        reported and go no further: nothing of theirs reaches a query."""
        c = pl.col
        keys = [k for k in rows.columns if k != "line"]
        bad = rows.select("line", pl.any_horizontal(*[c(k).str.contains(UNSTORABLE_PATTERN).fill_null(False) for k in keys]).alias("chars"),
                          pl.any_horizontal(*[(c(k).str.len_chars() > CELL_MAX).fill_null(False) for k in keys]).alias("long"))
        self._fail(bad.filter(c("chars")), "unstorable")
        self._fail(bad.filter(~c("chars") & c("long")), "too_long")
        return rows.join(bad.filter(c("chars") | c("long")).select("line"), on="line", how="anti")

    # -- reference data --------------------------------------------------------------------------------------------
    def _reference(self) -> None:
        """Products by every spelling, dose kinds and numbers, communes by GSO code, the schedules picked for each
        (product, age, day range), dose policies and allowed mixes: small lookup frames."""
        prod = {}
        products = list(Product.objects.all())
        for p in products:
            for name in [p.code, p.name, p.manufacturer, *p.aliases]:
                for v in _variants(name):
                    prod.setdefault(v, (v, p.pk, _day(p.approved_on)))
        self.prod = _frame(prod.values(), {"product": STR, "product_id": I64, "approved_day": I32})
        kinds = {}
        for kind, words in KIND_WORDS.items():
            for w in words:
                for v in _variants(w) or [""]:
                    kinds.setdefault(v, (v, kind))
        self.kinds = _frame(kinds.values(), {"kind_txt": STR, "kind": STR})
        self.nums = _frame({(s, i) for i in range(1, 10) for s in (str(i), f"0{i}", f"{i}.0", f"Mũi {i}", f"mũi {i}")},
                           {"number": STR, "dose_number": I32})
        from geo.models import AdministrativeUnit, Level, Structure

        seen = {}
        for code, pk, structure in AdministrativeUnit.objects.filter(level=Level.COMMUNE).order_by("structure").values_list("code", "id", "structure"):
            if code not in seen or structure == Structure.PRE_2025:
                seen[code] = pk
        self.units = _frame(seen.items(), {"commune": STR, "unit_id": I64})
        schedules = list(Schedule.objects.all())
        self.sched = _frame([(s.pk, s.primary_doses, s.min_interval_days) for s in schedules],
                            {"schedule_id": I64, "primary_doses": I32, "min_days": I32})
        code_to_id = {p.code: p.pk for p in products}
        self.mix = _frame({(s.pk, code_to_id[c]) for s in schedules for c in (s.mixable_with or []) if c in code_to_id},
                          {"schedule_id": I64, "prev_product": I64})
        self.policy = _frame([
            (_day(p.valid_from), _day(p.valid_to) if p.valid_to else FAR, p.additional_min_days, p.booster_min_days,
             p.booster_next_min_days, p.booster_age_min, p.max_additional, p.max_boosters) for p in DosePolicy.objects.all()],
            {"from_day": I32, "to_day": I32, "additional_min": I32, "booster_min": I32, "booster_next": I32, "age_min": I32,
             "max_additional": I32, "max_boosters": I32})
        self._picks(schedules)
        # The communes the user governs, from core.scoping (the one place that decides jurisdiction).
        visible = visible_commune_ids(self.by)
        self.scoped = visible is not None
        self.scope: list[int] = sorted(visible or ())

    def _picks(self, schedules) -> None:
        """Non-overlapping (product, age, day range) → schedule, as services.schedule_for picks it (the latest
        valid_from among the schedules in force covering the age), and (product, day range) → usable as booster."""
        picks, boosts = [], []
        by_product: dict[int, list[Schedule]] = {}
        for sc in schedules:
            by_product.setdefault(sc.product_id, []).append(sc)

        def segments(items):
            cuts = sorted({_day(x.valid_from) for x in items} | {(_day(x.valid_to) + 1) if x.valid_to else FAR for x in items})
            for a, b in zip(cuts, cuts[1:], strict=False):
                live = [x for x in items if _day(x.valid_from) <= a and (x.valid_to is None or _day(x.valid_to) >= b - 1)]
                if live:
                    yield a, b - 1, live

        for product_id, items in by_product.items():
            for a, b, live in segments(items):
                boosts.append((product_id, a, b, any(x.usable_as_booster for x in live)))
            for age in range(0, 121):
                covering = [x for x in items if x.covers_age(age)]
                for a, b, live in segments(covering):
                    picks.append((product_id, age, a, b, max(live, key=lambda x: x.valid_from).pk))
        self.picks = _frame(picks, {"product_id": I64, "age_key": I32, "from_day": I32, "to_day": I32, "schedule_id": I64})
        self.boosts = _frame(boosts, {"product_id": I64, "from_day": I32, "to_day": I32, "booster_ok": pl.Boolean})

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

    @staticmethod
    def _dates(rows: pl.DataFrame, col: str, prefix: str) -> pl.DataFrame:
        """Day number, year, month*100+day and year-only flag of each distinct written date (a file has a few
        thousand): d/m/yyyy (one or two digits), yyyy-mm-dd, or the year alone (counted from 1 July). Dots and
        dashes count as slashes; years outside 1900–2035 are typing errors."""
        c = pl.col
        uniq = rows.select(c(col).unique()).drop_nulls()
        t = c(col).str.replace_all("-", "/", literal=True).str.replace_all(".", "/", literal=True)
        year_only = t.str.contains(r"^\d{4}$")
        date = pl.coalesce(t.str.to_date("%d/%m/%Y", strict=False), t.str.to_date("%Y/%m/%d", strict=False),
                           pl.when(year_only).then(pl.concat_str([t, pl.lit("/07/01")]).str.to_date("%Y/%m/%d", strict=False)))
        uniq = uniq.with_columns(date.alias("d"), year_only.alias(f"{prefix}_year_only"))
        uniq = uniq.with_columns(pl.when(c("d").dt.year().is_between(YEAR_FIRST, YEAR_LAST)).then(c("d")).alias("d"))
        return uniq.select(c(col), c("d").cast(I32).alias(f"{prefix}_day"), c("d").dt.year().cast(I32).alias(f"{prefix}_y"),
                           (c("d").dt.month().cast(I32) * 100 + c("d").dt.day().cast(I32)).alias(f"{prefix}_md"),
                           f"{prefix}_year_only")

    def _parse(self, cur, rows: pl.DataFrame) -> pl.DataFrame:
        """Parse and look up every row, and match people by ID, else by folded name + date of birth + commune."""
        c = pl.col
        names = rows.select(c("full_name").unique()).drop_nulls()
        names = names.with_columns(c("full_name").map_elements(fold, return_dtype=STR).alias("folded"))  # once per spelling
        t = time.perf_counter()
        given = lambda k: (c(k).is_not_null() & (c(k) != "")).alias(f"{k}_given")  # noqa: E731
        x = (rows.lazy().with_columns(c("kind").fill_null("").alias("kind_txt"), c("id_number").fill_null(""),
                                      given("dob"), given("commune"))
             .drop("kind")  # the written kind is now kind_txt; `kind` becomes the parsed one
             .join(self._dates(rows, "dob", "dob").lazy(), on="dob", how="left")
             .join(self._dates(rows, "given", "given").lazy(), on="given", how="left")
             .join(self.prod.lazy(), on="product", how="left")
             .join(self.kinds.lazy(), on="kind_txt", how="left")
             .join(self.nums.lazy(), on="number", how="left")
             .join(self.units.lazy(), on="commune", how="left")
             .join(names.lazy(), on="full_name", how="left")
             # A date given must be a full date: the year alone is not enough.
             .with_columns(*[pl.when(~c("given_year_only")).then(c(k)).alias(k) for k in ("given_day", "given_y", "given_md")],
                           c("dob_year_only").fill_null(False))
             .drop("dob", "given", "product", "kind_txt", "number", "commune", "full_name")
             .collect())
        self._note(t, "parse and look up")
        # The registry's people the file can mean: by ID, and by folded name + birth year + commune (every row that
        # has them: a row whose ID is unknown is matched by name too). The keys go in with COPY, the people come back.
        ids = x.filter(c("id_number") != "").select(c("id_number").unique())
        # Every ID number is checked by the registry's rules (people.rules), matched by name or not: once per number.
        bad_ids = ids.filter(c("id_number").map_elements(_id_refused, return_dtype=pl.Boolean))
        x = x.with_columns(c("id_number").is_in(bad_ids["id_number"].implode()).alias("id_bad"))
        names_bad = names.filter(c("full_name").map_elements(_name_refused, return_dtype=pl.Boolean))
        x = x.with_columns(c("folded").is_in(names_bad["folded"].implode()).alias("name_bad"))
        keys = x.filter(c("unit_id").is_not_null() & c("folded").is_not_null() & c("dob_y").is_not_null()).select(
            "unit_id", "folded", "dob_y").unique()
        people = self._people(cur, ids, keys)
        x = x.join(people.filter(c("by_id")).select(c("id_number"), c("id").alias("id_person"), c("commune_id").alias("id_commune"),
                                                    c("dob").alias("id_dob"), c("birth_year").alias("id_birth_year"))
                   .unique("id_number", keep="first"), on="id_number", how="left")
        # Without a known ID: folded name + birth year + commune, then the full date of birth when both sides have it.
        need = x.filter(c("id_person").is_null() & c("unit_id").is_not_null() & c("dob_y").is_not_null())
        cand = people.select(c("commune_id").alias("unit_id"), c("name_folded").alias("folded"), c("birth_year").alias("dob_y"),
                             c("id").alias("cand_id"), c("dob").alias("cand_dob"))
        row_keys = need.select("unit_id", "folded", "dob_y", "dob_day", "dob_year_only").unique()
        hits = (row_keys.join(cand, on=["unit_id", "folded", "dob_y"])
                .filter(c("dob_year_only") | c("cand_dob").is_null() | (c("cand_dob") == c("dob_day")))
                .group_by("unit_id", "folded", "dob_y", "dob_day", "dob_year_only")
                .agg(pl.len().alias("n"), c("cand_id").min(), c("cand_dob").first())
                .with_columns(pl.when(c("n") == 1).then(c("cand_id")).otherwise(-1).alias("name_hit")))
        t = time.perf_counter()
        x = x.lazy().join(hits.lazy().select("unit_id", "folded", "dob_y", "dob_day", "dob_year_only", "name_hit", "cand_dob"),
                          on=["unit_id", "folded", "dob_y", "dob_day", "dob_year_only"], how="left", nulls_equal=False)
        by_name = c("id_person").is_null() & (c("name_hit") > 0)
        age = c("given_y") - c("dob_y") - (c("given_md") < c("dob_md")).cast(I32)
        x = x.with_columns(
            pl.coalesce(c("id_person"), pl.when(c("name_hit") > 0).then(c("name_hit"))).alias("person_id"),
            pl.when(c("id_person").is_not_null()).then(c("id_commune")).when(by_name).then(c("unit_id")).alias("person_commune_id"),
            # The summary's birth date: the registry's date of birth, else 1 July of the birth year.
            pl.when(c("id_person").is_not_null()).then(pl.coalesce(c("id_dob"), pl.date(c("id_birth_year"), 7, 1).cast(I32)))
              .when(by_name).then(pl.coalesce(c("cand_dob"), pl.date(c("dob_y"), 7, 1).cast(I32))).alias("person_birth_day"),
            pl.when(c("name_hit").is_null()).then(0).when(c("name_hit") < 0).then(2).otherwise(1).alias("name_matches"),
            age.alias("age"), pl.when(age > 120).then(120).otherwise(age).alias("age_key"),
        )
        # The schedule of the product in force on the date given that covers the age; usable as a booster then.
        pick = (x.select("line", "product_id", "age_key", "given_day").join(self.picks.lazy(), on=["product_id", "age_key"])
                .filter(c("given_day").is_between(c("from_day"), c("to_day"))).select("line", "schedule_id"))
        boost = (x.select("line", "product_id", "given_day").join(self.boosts.lazy(), on="product_id")
                 .filter(c("given_day").is_between(c("from_day"), c("to_day"))).select("line", "booster_ok"))
        x = x.join(pick, on="line", how="left").join(boost, on="line", how="left").collect()
        self._note(t, "match by name, age, schedule")
        return x

    registry_scan_below = 20  # keys per registry person above which one scan of the registry beats index probes
    probe_registry = False  # always probe the indexes (tests cover both ways)

    def _people(self, cur, ids: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
        """The registry's people (not merged away) with an ID among `ids` or a (commune, folded name, birth year)
        among `keys`, and whether the ID matched."""
        self._push(cur, "vimp_idq", {"id_number": "text"}, ids)
        self._push(cur, "vimp_nameq", {"unit_id": "bigint", "folded": "text", "dob_y": "integer"}, keys)
        cols = f"p.id, p.id_number, p.commune_id, p.name_folded, p.birth_year, {self._dayno('p.date_of_birth')}"
        schema = {"id": I64, "id_number": STR, "commune_id": I64, "name_folded": STR, "birth_year": I32, "dob": I32,
                  "by_id": I32}
        by_id = "CASE WHEN p.id_number IN (SELECT id_number FROM vimp_idq) THEN 1 ELSE 0 END"
        by_name = "(p.commune_id, p.name_folded, p.birth_year) IN (SELECT unit_id, folded, dob_y FROM vimp_nameq)"
        registry = 0
        if self.pg:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'people_person'::regclass")
            registry = cur.fetchone()[0]
        if not self.probe_registry and (ids.height + keys.height) * self.registry_scan_below >= registry:
            # A province's file against its registry: one pass over the people, both lookups hashed.
            frame = self._pull(cur, f"""SELECT {cols}, {by_id} FROM people_person p
                                        WHERE p.merged_into_id IS NULL AND (p.id_number IN (SELECT id_number FROM vimp_idq)
                                              OR {by_name})""", schema)
        else:
            # A small file against a large registry: index probes (people_person_id_number…, people_dup_idx).
            frame = self._pull(cur, f"""SELECT {cols}, 1 FROM people_person p JOIN vimp_idq q ON q.id_number = p.id_number
                                        WHERE p.merged_into_id IS NULL
                                        UNION
                                        SELECT {cols}, {by_id} FROM people_person p JOIN vimp_nameq q ON q.unit_id = p.commune_id
                                             AND q.folded = p.name_folded AND q.dob_y = p.birth_year
                                        WHERE p.merged_into_id IS NULL""", schema)
        return frame.unique("id").sort("id").with_columns(pl.col("by_id") == 1)

    def _row_checks(self) -> dict[str, pl.Expr]:
        """code → condition over one staged row, for the checks that need no other row."""
        c = pl.col
        unmatched = c("person_id").is_null()
        checks = {
            "given_date": c("given_day").is_null(),
            "future": c("given_day") > _day(self.today),
            "dob": c("dob_day").is_null() & c("dob_given"),
            "before_birth": (c("given_day") < c("dob_day")) & ~c("dob_year_only"),
            "product": c("product_id").is_null(),
            "kind": c("kind").is_null(),
            "number": c("dose_number").is_null(),
            "commune": c("unit_id").is_null() & c("commune_given"),
            "bad_id": (c("id_number") != "") & c("id_bad"),
            "bad_name": c("name_bad"),
            "ambiguous": unmatched & (c("name_matches") > 1) & ~c("name_bad"),
            "unmatched": unmatched & (c("name_matches") <= 1) & ~c("name_bad"),
            "before_approval": c("given_day") < c("approved_day"),
            "lot": c("lot").str.len_chars() > TEXT_LIMITS["lot"],
            "site": c("site").str.len_chars() > TEXT_LIMITS["site"],
        }
        if self.scoped:
            checks["out_of_scope"] = c("person_id").is_not_null() & ~c("person_commune_id").is_in(self.scope)
        return checks

    def _fail(self, frame: pl.DataFrame, code) -> None:
        """Add frame's lines to the errors with a code (a string, or an expression giving it per row)."""
        code = pl.lit(code) if isinstance(code, str) else code
        found = frame.select(pl.col("line"), code.cast(STR).alias("code"))
        if found.height:
            self.errors = pl.concat([self.errors, found])

    def _checks(self, cur, s: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
        """Every check; returns the new doses to insert, each touched person's earlier and new doses in order, and
        how many rows are already recorded identically."""
        c = pl.col
        t = time.perf_counter()
        checks = self._row_checks()
        flags = s.select("line", *[cond.fill_null(False).alias(code) for code, cond in checks.items()])
        for code in checks:
            self._fail(flags.filter(c(code)), code)
        # Only the columns the rest needs: every join below copies what it carries.
        ok = (s.select("line", "person_id", "person_commune_id", "product_id", "kind", "dose_number", "given_day", "age",
                       "schedule_id", "booster_ok", "lot", "site")
              .join(self.errors, on="line", how="anti").join(self.sched, on="schedule_id", how="left"))
        extra = ok.filter(c("kind") != "primary").join(self.policy, how="cross").filter(c("given_day").is_between(c("from_day"), c("to_day")))
        self._fail(ok.filter((c("kind") == "primary") & c("schedule_id").is_null()), "schedule")
        self._fail(ok.filter((c("kind") == "primary") & (c("dose_number") > c("primary_doses"))), "too_many")
        self._fail(ok.filter(c("kind") != "primary").join(extra, on="line", how="anti"), "no_policy")
        self._fail(extra.filter((c("age") < c("age_min")) | (c("dose_number") > pl.when(c("kind") == "additional")
                                                             .then(c("max_additional")).otherwise(c("max_boosters")))),
                   pl.when(c("age") < c("age_min")).then(pl.lit("wrong_age")).otherwise(pl.lit("too_many")))
        self._fail(ok.filter((c("kind") != "primary") & ~c("booster_ok").fill_null(False)), "not_booster")
        slot = ["person_id", "kind", "dose_number"]
        by_slot = ok.select("line", *slot).sort(*slot, "line")
        self._fail(by_slot.filter(pl.all_horizontal(*[c(k) == c(k).shift(1) for k in slot])), "duplicate_in_file")
        self._note(t, "one-row checks")
        # The same people's doses already recorded: identical → already present (skipped); different → conflict.
        self._push(cur, "vimp_pq", {"person_id": "bigint"}, ok.select(c("person_id").unique()))
        old = self._pull(cur, f"""SELECT i.person_id, i.dose_kind, i.dose_number, {self._dayno('i.given_on')}, i.product_id,
                                         CASE WHEN i.completes_primary THEN 1 ELSE 0 END, i.schedule_id
                                  FROM vaccination_injection i JOIN vimp_pq q ON q.person_id = i.person_id""",
                         {"person_id": I64, "kind": STR, "dose_number": I32, "given_day": I32, "product_id": I64,
                          "completes": I32, "schedule_id": I64})
        t = time.perf_counter()
        same_slot = ok.join(old.select(*slot, c("given_day").alias("old_day"), c("product_id").alias("old_product")), on=slot)
        self._fail(same_slot.filter((c("old_day") != c("given_day")) | (c("old_product") != c("product_id"))), "conflict")
        # Sequence, interval and mixing, over each person's earlier and new doses together.
        fresh = ok.join(self.errors, on="line", how="anti").join(old, on=slot, how="anti").with_columns(
            ((c("kind") == "primary") & (c("dose_number") == c("primary_doses"))).fill_null(False).cast(I32).alias("completes"))
        cols = ["line", "person_id", "kind", "dose_number", "given_day", "product_id", "schedule_id", "completes"]
        seq = (pl.concat([fresh.select(cols), old.with_columns(pl.lit(None, I64).alias("line")).select(cols)])
               .sort("person_id", "kind", "dose_number"))
        # The previous dose of the same person and kind: the row before, in this order (a shift, not a grouped window).
        same = (c("person_id") == c("person_id").shift(1)) & (c("kind") == c("kind").shift(1))
        seq = (seq.with_columns(*[pl.when(same).then(c(a).shift(1)).alias(b) for a, b in
                                  (("dose_number", "prev_number"), ("given_day", "prev_day"), ("product_id", "prev_product"))])
               .join(self.sched, on="schedule_id", how="left"))
        new = seq.filter(c("line").is_not_null())
        primary = new.filter(c("kind") == "primary")
        self._fail(new.filter(c("dose_number") != c("prev_number").fill_null(0) + 1), "out_of_order")
        self._fail(primary.filter(c("prev_day").is_not_null() & (c("given_day") - c("prev_day") < c("min_days"))), "too_early")
        self._fail(primary.filter(c("prev_product").is_not_null() & (c("prev_product") != c("product_id")))
                   .join(self.mix, on=["schedule_id", "prev_product"], how="anti"), "forbidden_mix")
        # Additional and booster doses: after the completed primary series, at the interval of the policy in force.
        base = seq.group_by("person_id").agg(c("given_day").filter(c("completes") == 1).min().alias("done_day"),
                                             c("given_day").filter(c("kind") == "additional").max().alias("additional_day"))
        later = new.filter(c("kind") != "primary").join(base, on="person_id")
        self._fail(later.filter(c("done_day").is_null() | (c("done_day") > c("given_day"))), "primary_incomplete")
        since = pl.when(c("additional_day").is_not_null() & (c("additional_day") > c("done_day")) & (c("additional_day") < c("given_day"))
                        ).then(c("additional_day")).otherwise(c("done_day"))
        self._fail(later.filter(c("done_day") <= c("given_day")).join(self.policy, how="cross")
                   .filter(c("given_day").is_between(c("from_day"), c("to_day")) & (
                       ((c("kind") == "additional") & (c("given_day") - c("done_day") < c("additional_min")))
                       | ((c("kind") == "booster") & (c("dose_number") == 1) & (c("given_day") - since < c("booster_min")))
                       | ((c("kind") == "booster") & (c("dose_number") > 1) & (c("given_day") - c("prev_day") < c("booster_next"))))),
                   "too_early")
        self.errors = self.errors.unique().sort("line", "code")
        bad = self.errors.select("line").unique()
        present = ok.join(bad, on="line", how="anti").join(old, on=slot, how="semi").height
        new = (fresh.join(bad, on="line", how="anti")
               .select("person_id", "person_commune_id", "product_id", "schedule_id", "kind", "dose_number", "given_day",
                       "lot", "site", "completes").sort("person_id", "kind", "dose_number"))
        seq = seq.join(bad.with_columns(pl.lit(True).alias("refused")), on="line", how="left").with_columns(
            c("refused").fill_null(False))
        self._note(t, "checks against earlier doses")
        return new, seq, present

    # -- writing ---------------------------------------------------------------------------------------------------
    def _insert(self, cur, new: pl.DataFrame) -> int:
        c = pl.col
        out = new.select(
            "person_id", c("person_commune_id").alias("commune_id"), "product_id", "schedule_id", c("kind").alias("dose_kind"),
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

    # -- the error report ------------------------------------------------------------------------------------------
    def error_rows(self, limit: int | None = None) -> list[dict]:
        errors = self.errors.head(limit) if limit else self.errors
        out = []
        for line, code in errors.iter_rows():
            key, vi, en = MESSAGES[code]
            out.append({"line": line, "column": HEADER_OF.get(key), "code": code, "message_vi": vi, "message_en": en})
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


def _cell_text(c) -> str | None:
    if c is None:
        return None
    if isinstance(c, dt.datetime):
        c = c.date()
    if isinstance(c, dt.date):
        return c.strftime("%d/%m/%Y")
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c).strip()


def _variants(text: str) -> list[str]:
    text = (text or "").strip()
    if not text:
        return []
    out = {text, text.lower(), text.upper(), text.title(), text.capitalize(), fold(text), fold(text).upper(), fold(text).title()}
    return sorted(out)
