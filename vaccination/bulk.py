"""Bulk import of injections exported from the national vaccination platform (CSV or XLSX, Vietnamese headers).

Set-based, so that a province (1,500,000 doses) loads in seconds:
  1. the file goes into a staging table as text: PostgreSQL `COPY` straight from the CSV bytes (XLSX rows through
     `COPY … FROM STDIN` too); SQLite `executemany`;
  2. one `CREATE TABLE … AS SELECT` parses and looks everything up with hash joins: dates through a calendar table
     of every valid written form (dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, year only), products through their aliases,
     communes by GSO code, people by ID number; people without a matching ID are then matched by diacritic-folded
     name + date of birth + commune (the only step that touches Python, for the rows that need it); the same pass
     picks the schedule in force for the age and (PostgreSQL) lists the one-row checks each row fails;
  3. the rows without one-row errors become vimp_ok in one scan; every other check is an `INSERT INTO errors SELECT …`
     (schedule in force for the age, too many doses, duplicates in the file, conflicting earlier records,
     order / interval / mixing against the person's existing and new doses with window functions);
  4. one `INSERT … SELECT` sorted by the unique key adds the good rows that are not yet recorded (the same file twice
     adds nothing; a large insert rebuilds the plain indexes once), then the per-person summary of the people touched
     is summed up from the staging tables, in one statement.
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

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.imports import FileRejected, decode_text
from core.text import fold

from .models import DosePolicy, Product, Schedule

# key, accepted headers (compared diacritic- and case-insensitively), required
COLUMNS = [
    ("id_number", ("Số CCCD/CMND", "Mã định danh", "Số định danh", "CCCD", "CMND", "Số giấy tờ", "ID number"), False),
    ("full_name", ("Họ và tên", "Họ tên", "Full name"), True),
    ("dob", ("Ngày sinh", "Date of birth"), True),
    ("commune", ("Mã xã", "Mã xã/phường", "Commune code"), False),
    ("product", ("Tên vắc xin", "Vắc xin", "Loại vắc xin", "Vaccine"), True),
    ("kind", ("Loại mũi", "Loại liều", "Dose kind"), False),
    ("number", ("Mũi số", "Mũi tiêm", "Liều số", "Dose number"), True),
    ("given", ("Ngày tiêm", "Date given"), True),
    ("lot", ("Số lô", "Lot"), False),
    ("site", ("Cơ sở tiêm", "Điểm tiêm", "Site"), False),
]
HEADER_OF = {key: headers[0] for key, headers, _ in COLUMNS}

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
    "bad_id": ("id_number", "Số giấy tờ không đúng dạng (9 hoặc 12 chữ số).", "Malformed ID number (9 or 12 digits)."),
    "unmatched": ("full_name", "Không tìm thấy người này (theo số giấy tờ, hoặc họ tên + ngày sinh + xã).",
                  "Person not found (by ID, or by name + date of birth + commune)."),
    "ambiguous": ("full_name", "Có nhiều người trùng họ tên, ngày sinh và xã: cần số giấy tờ.",
                  "Several people share this name, date of birth and commune: an ID number is needed."),
    "out_of_scope": ("full_name", "Người này ở ngoài địa bàn bạn phụ trách.", "This person lives outside your jurisdiction."),
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
    "forbidden_mix": ("product", "Không được phối hợp vắc xin này với mũi trước trong liều cơ bản.",
                      "This product may not follow the previous one in the primary series."),
    "primary_incomplete": ("kind", "Chưa đủ liều cơ bản trước mũi bổ sung/nhắc lại.",
                           "The primary series is not complete before this additional/booster dose."),
}

EPOCH = dt.date(1970, 1, 1)
_PROFILE = os.environ.get("VIMP_PROFILE", "")  # print each statement's time (bench/vaccination_import.py --profile)
CAL_FIRST, CAL_LAST = dt.date(1900, 1, 1), dt.date(2035, 12, 31)


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


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


class DoseImporter:
    keep_errors = 2000
    rebuild_indexes_from = 100_000  # new rows (and at least as many as present) from which plain indexes are rebuilt

    def __init__(self, *, by, mode: str = "all", progress=None, today: dt.date | None = None, batch=None):
        self.by = by
        self.mode = mode
        self.progress = progress or (lambda phase, pct: None)
        self.today = today or dt.date.today()
        self.batch = batch
        self.pg = connection.vendor == "postgresql"

    # -- SQL helpers -----------------------------------------------------------------------------------------------
    def _x(self, cur, sql, params=None):
        if _PROFILE:
            t = time.perf_counter()
            if _PROFILE == "explain" and sql.lstrip().startswith(("CREATE TEMP TABLE vimp_stg", "INSERT INTO vaccination_")):
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or [])
                print("\n".join(r[0] for r in cur.fetchall()))
            else:
                cur.execute(sql, params or [])
            print(f"  {time.perf_counter() - t:7.3f}s  {' '.join(sql.split())[:110]}", flush=True)
        else:
            cur.execute(sql, params or [])

    def _analyze(self, cur, *tables):
        # Temporary tables are never auto-analysed: without statistics the planner picks nested loops.
        for t in tables:
            cur.execute(f"ANALYZE {t}")

    def _as_date(self, expr: str) -> str:
        return f"CAST({expr} AS date)" if self.pg else expr

    def _dayno(self, expr: str) -> str:
        return f"({expr} - DATE '1970-01-01')" if self.pg else f"CAST(julianday({expr}) - 2440587.5 AS INTEGER)"

    def _load(self, cur, table: str, columns: list[str], rows) -> None:
        if self.pg:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows))

    # -- reading ---------------------------------------------------------------------------------------------------
    def _map_header(self, header: list[str]) -> dict[str, int]:
        wanted = {fold(h): key for key, headers, _ in COLUMNS for h in headers}
        index: dict[str, int] = {}
        for i, h in enumerate(header):
            key = wanted.get(fold(h or ""))
            if key and key not in index:
                index[key] = i
        missing = [headers[0] for key, headers, required in COLUMNS if required and key not in index]
        if missing:
            names = ", ".join(missing)
            raise FileRejected(f"Thiếu cột bắt buộc: {names}", f"Missing required column(s): {names}")
        return index

    def _stage_raw(self, cur, data: bytes, filename: str) -> dict[str, int]:
        """Staging table vimp_raw(line, c0…cN) holding the file's cells as text. Returns the column map."""
        suffix = Path(filename).suffix.lower()
        if suffix in {".xlsx", ".xlsm"}:
            header, rows = self._xlsx_rows(data)
            text = None
        elif suffix in {".csv", ".txt", ""}:
            raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            try:
                text, utf8 = raw.decode("utf-8"), True
            except UnicodeDecodeError:  # UTF-16 with BOM, or a legacy code page recognised with confidence
                text, utf8 = decode_text(data), False
            dialect = self._dialect(text)
            first = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 if "\n" in text else len(text)]), dialect), None)
            if not first:
                raise FileRejected("Tệp rỗng.", "The file is empty.")
            header = [h.strip() for h in first]
            rows = None
        else:
            raise FileRejected(f"Định dạng tệp không được hỗ trợ: {suffix}. Dùng CSV hoặc XLSX.",
                               f"Unsupported file type: {suffix}. Use CSV or XLSX.")
        index = self._map_header(header)
        n = len(header)
        cols = [f"c{i}" for i in range(n)]
        self._x(cur, "DROP TABLE IF EXISTS vimp_raw")
        if self.pg:
            self._x(cur, f"CREATE TEMP TABLE vimp_raw (rid bigint GENERATED BY DEFAULT AS IDENTITY, {', '.join(c + ' text' for c in cols)})")
        else:
            self._x(cur, f"CREATE TEMP TABLE vimp_raw (rid INTEGER PRIMARY KEY, {', '.join(c + ' text' for c in cols)})")
        if text is not None and self.pg:
            # PostgreSQL parses the CSV itself: the fastest path. Line = rid + 1 (the header is line 1).
            delim = dialect.delimiter
            # Valid UTF-8 goes to COPY as is (without a BOM); a converted file is re-encoded.
            payload = raw if utf8 else text.encode("utf-8")
            with cur.copy(f"COPY vimp_raw ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '{delim}')") as cp:
                step = 8 << 20
                for i in range(0, len(payload), step):
                    cp.write(payload[i:i + step])
            self.line_offset = 1
        else:
            if text is not None:
                reader = csv.reader(io.StringIO(text), dialect)
                next(reader, None)
                rows = ((line, r) for line, r in enumerate(reader, start=2))
            padded = ((line, *(list(r[:n]) + [None] * (n - len(r)))) for line, r in rows if any((c or "").strip() for c in r))
            self._load(cur, "vimp_raw", ["rid", *cols], padded)
            self.line_offset = 0
        self._analyze(cur, "vimp_raw")
        return index

    @staticmethod
    def _dialect(text: str):
        try:
            return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            return csv.excel

    @staticmethod
    def _xlsx_rows(data: bytes):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise FileRejected("Không mở được tệp Excel.", "The Excel file cannot be opened.")
        it = wb.worksheets[0].iter_rows(values_only=True)
        header = None
        rows = []
        for line, cells in enumerate(it, start=1):
            if not any(c not in (None, "") for c in cells):
                continue
            if header is None:
                header = [str(c).strip() if c is not None else "" for c in cells]
                continue
            rows.append((line, [_cell_text(c) for c in cells]))
        if header is None:
            raise FileRejected("Tệp rỗng.", "The file is empty.")
        return header, rows

    # -- reference tables ------------------------------------------------------------------------------------------
    def _stage_reference(self, cur) -> None:
        for t in ("vimp_cal", "vimp_prod", "vimp_kind", "vimp_num", "vimp_unit", "vimp_sched", "vimp_mix", "vimp_policy", "vimp_scope"):
            self._x(cur, f"DROP TABLE IF EXISTS {t}")
        self._x(cur, "CREATE TEMP TABLE vimp_cal (txt text PRIMARY KEY, iso text, day integer, y integer, md integer, year_only integer)")
        self._load(cur, "vimp_cal", ["txt", "iso", "day", "y", "md", "year_only"], _calendar_rows())
        self._x(cur, "CREATE TEMP TABLE vimp_prod (txt text PRIMARY KEY, product_id bigint, approved_day integer)")
        prod_rows = {}
        for p in Product.objects.all():
            for name in [p.code, p.name, p.manufacturer, *p.aliases]:
                for v in _variants(name):
                    prod_rows.setdefault(v, (v, p.pk, _day(p.approved_on)))
        self._load(cur, "vimp_prod", ["txt", "product_id", "approved_day"], prod_rows.values())
        self._x(cur, "CREATE TEMP TABLE vimp_kind (txt text PRIMARY KEY, kind text)")
        kinds = {}
        for kind, words in KIND_WORDS.items():
            for w in words:
                for v in _variants(w) or [""]:
                    kinds.setdefault(v, (v, kind))
        self._load(cur, "vimp_kind", ["txt", "kind"], kinds.values())
        self._x(cur, "CREATE TEMP TABLE vimp_num (txt text PRIMARY KEY, n integer)")
        self._load(cur, "vimp_num", ["txt", "n"], [(s, i) for i in range(1, 10) for s in {str(i), f"0{i}", f"{i}.0", f"Mũi {i}", f"mũi {i}"}])
        self._x(cur, "CREATE TEMP TABLE vimp_unit (code text PRIMARY KEY, unit_id bigint)")
        from geo.models import AdministrativeUnit, Level, Structure

        units = AdministrativeUnit.objects.filter(level=Level.COMMUNE).order_by("structure")
        seen = {}
        for code, pk, structure in units.values_list("code", "id", "structure"):
            if code not in seen or structure == Structure.PRE_2025:
                seen[code] = pk
        self._load(cur, "vimp_unit", ["code", "unit_id"], seen.items())
        self._x(cur, """CREATE TEMP TABLE vimp_sched (schedule_id bigint, product_id bigint, from_day integer, to_day integer,
                        age_min integer, age_below integer, primary_doses integer, min_days integer, booster integer)""")
        self._load(cur, "vimp_sched", ["schedule_id", "product_id", "from_day", "to_day", "age_min", "age_below", "primary_doses", "min_days", "booster"], [
            (s.pk, s.product_id, _day(s.valid_from), _day(s.valid_to) if s.valid_to else 999999, s.age_min, s.age_below if s.age_below is not None else 999,
             s.primary_doses, s.min_interval_days, 1 if s.usable_as_booster else 0)
            for s in Schedule.objects.all()
        ])
        self._stage_picks(cur)
        self._x(cur, "CREATE INDEX vimp_sched_key ON vimp_sched (schedule_id)")
        code_to_id = dict(Product.objects.values_list("code", "id"))
        self._x(cur, "CREATE TEMP TABLE vimp_mix (schedule_id bigint, other_id bigint)")
        self._load(cur, "vimp_mix", ["schedule_id", "other_id"], [
            (s.pk, code_to_id[c]) for s in Schedule.objects.all() for c in (s.mixable_with or []) if c in code_to_id
        ])
        self._x(cur, """CREATE TEMP TABLE vimp_policy (from_day integer, to_day integer, additional_min integer, booster_min integer,
                        booster_next integer, age_min integer, max_additional integer, max_boosters integer)""")
        self._load(cur, "vimp_policy", ["from_day", "to_day", "additional_min", "booster_min", "booster_next", "age_min", "max_additional", "max_boosters"], [
            (_day(p.valid_from), _day(p.valid_to) if p.valid_to else 999999, p.additional_min_days, p.booster_min_days,
             p.booster_next_min_days, p.booster_age_min, p.max_additional, p.max_boosters)
            for p in DosePolicy.objects.all()
        ])
        self.scoped = not getattr(self.by, "sees_everything", True)
        if self.scoped:
            from vaccination.services import communes_of

            unit = getattr(self.by, "jurisdiction_unit", None)
            ids = communes_of(unit) if unit else []
            self._x(cur, "CREATE TEMP TABLE vimp_scope (unit_id bigint PRIMARY KEY)")
            self._load(cur, "vimp_scope", ["unit_id"], [(i,) for i in ids])

    def _stage_picks(self, cur) -> None:
        """Non-overlapping (product, age, day range) → schedule, as services.schedule_for picks it (the latest
        valid_from among the schedules in force covering the age), and (product, day range) → usable as booster."""
        schedules = list(Schedule.objects.all())
        for t in ("vimp_pick", "vimp_boost"):
            self._x(cur, f"DROP TABLE IF EXISTS {t}")
        self._x(cur, "CREATE TEMP TABLE vimp_pick (product_id bigint, age integer, from_day integer, to_day integer, schedule_id bigint)")
        self._x(cur, "CREATE TEMP TABLE vimp_boost (product_id bigint, from_day integer, to_day integer, ok integer)")
        far = 999999
        picks, boosts = [], []
        by_product: dict[int, list[Schedule]] = {}
        for sc in schedules:
            by_product.setdefault(sc.product_id, []).append(sc)

        def segments(items):
            cuts = sorted({_day(x.valid_from) for x in items} | {(_day(x.valid_to) + 1) if x.valid_to else far for x in items})
            for a, b in zip(cuts, cuts[1:], strict=False):
                live = [x for x in items if _day(x.valid_from) <= a and (x.valid_to is None or _day(x.valid_to) >= b - 1)]
                if live:
                    yield a, b - 1, live

        for product_id, items in by_product.items():
            for a, b, live in segments(items):
                boosts.append((product_id, a, b, 1 if any(x.usable_as_booster for x in live) else 0))
            for age in range(0, 121):
                covering = [x for x in items if x.covers_age(age)]
                for a, b, live in segments(covering):
                    best = max(live, key=lambda x: x.valid_from)
                    picks.append((product_id, age, a, b, best.pk))
        self._load(cur, "vimp_pick", ["product_id", "age", "from_day", "to_day", "schedule_id"], picks)
        self._load(cur, "vimp_boost", ["product_id", "from_day", "to_day", "ok"], boosts)
        self._x(cur, "CREATE INDEX vimp_pick_key ON vimp_pick (product_id, age)")
        self._x(cur, "CREATE INDEX vimp_boost_key ON vimp_boost (product_id)")
        self._analyze(cur, "vimp_pick", "vimp_boost")

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
        with connection.cursor() as cur:
            if self.pg:
                # Big hash joins in memory instead of sorts on disk; JIT compilation costs more than it saves here.
                cur.execute("SET work_mem = '256MB'")
                cur.execute("SET jit = off")
                # The staging tables are temporary (never WAL-logged); give them room in local memory so they are not
                # written out through the default 8 MB of temp buffers. Only possible before the session's first
                # temporary table: a later import in the same session keeps the setting it already has.
                try:
                    with transaction.atomic():
                        cur.execute("SET temp_buffers = '1GB'")
                except DatabaseError:
                    pass
                cur.execute("SELECT 1 FROM pg_stat_user_tables WHERE relname = 'people_person' "
                            "AND last_analyze IS NULL AND last_autoanalyze IS NULL")
                if cur.fetchone():  # freshly bulk-loaded registry: the planner needs its statistics
                    cur.execute("ANALYZE people_person")
            try:
                self._pipeline(cur, data, filename, result, tick, sha)
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

    def _pipeline(self, cur, data, filename, result, tick, sha) -> None:
        index = self._stage_raw(cur, data, filename)
        cur.execute("SELECT COUNT(*) FROM vimp_raw")
        result.total_rows = cur.fetchone()[0]
        tick("load", 25)
        self._stage_reference(cur)
        tick("reference", 30)
        self._parse(cur, index)
        tick("parse_and_match", 60)
        self._checks(cur)
        tick("checks", 80)
        cur.execute("SELECT COUNT(DISTINCT line) FROM vimp_err")
        result.error_count = cur.fetchone()[0]
        # Already recorded (identical dose): counted from vimp_ok (rows left out of it all have an error).
        cur.execute("""SELECT COUNT(*) FROM vimp_ok o WHERE NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = o.line)
                       AND EXISTS (SELECT 1 FROM vimp_old d WHERE d.person_id = o.person_id AND d.kind = o.kind
                                   AND d.dose_number = o.dose_number)""")
        result.skipped_duplicates = cur.fetchone()[0]
        result.errors = self.error_rows(cur, limit=self.keep_errors)
        if result.error_count == 0 or self.mode == "valid_only":
            with transaction.atomic():
                if self.pg:
                    # Only this transaction: an import lost in a crash is simply run again (it is idempotent).
                    cur.execute("SET LOCAL synchronous_commit = off")
                result.imported = self._insert(cur)
                tick("insert", 92)
                self._summary(cur)
                tick("summary", 99)
                result.saved = True
                from audit.services import record

                record(actor=self.by if getattr(self.by, "pk", None) else None, action="import", target_label="vaccination.injection",
                       note=f"{filename}: {result.imported} imported, {result.skipped_duplicates} already present, "
                            f"{result.error_count} rejected (sha256 {sha[:12]})",
                       records={"batch": self.batch.pk if self.batch else None, "file_sha256": sha})

    def _parse(self, cur, index: dict[str, int]) -> None:
        """One pass: parse, look up, and match people by ID, else by folded name + birth + commune (people_dup_idx)."""
        def col(key):
            return f"r.c{index[key]}" if key in index else "NULL"

        def norm(expr):
            return f"REPLACE(REPLACE(TRIM({expr}), '.', '/'), '-', '/')"

        # Names repeat a lot: fold each distinct spelling once in Python (core.text.fold), join it in SQL.
        self._x(cur, "DROP TABLE IF EXISTS vimp_names")
        self._x(cur, "CREATE TEMP TABLE vimp_names (full_name text PRIMARY KEY, folded text)")
        cur.execute(f"SELECT DISTINCT TRIM({col('full_name')}) FROM vimp_raw r WHERE {col('full_name')} IS NOT NULL")
        self._load(cur, "vimp_names", ["full_name", "folded"], ((n, fold(n)) for (n,) in cur.fetchall() if n))
        # The people named by ID in the file, keyed by ID (one lookup table for both databases' planners).
        self._x(cur, "DROP TABLE IF EXISTS vimp_ids")
        self._x(cur, f"""CREATE TEMP TABLE vimp_ids AS
            SELECT p.id_number, p.id AS person_id, p.commune_id FROM people_person p
            WHERE p.id_number IN (SELECT DISTINCT TRIM({col('id_number')}) FROM vimp_raw r) AND p.id_number <> ''
              AND p.merged_into_id IS NULL""")
        self._x(cur, "CREATE UNIQUE INDEX vimp_ids_key ON vimp_ids (id_number)")
        self._analyze(cur, "vimp_names", "vimp_ids", "vimp_cal", "vimp_prod", "vimp_unit", "vimp_kind", "vimp_num")
        same_person = (f"p2.commune_id = u.unit_id AND p2.name_folded = nm.folded AND p2.birth_year = dob.y "
                       f"AND p2.merged_into_id IS NULL AND (dob.year_only = 1 OR p2.date_of_birth IS NULL "
                       f"OR p2.date_of_birth = {self._as_date('dob.iso')})")
        off = self.line_offset
        # age on the date given, from the calendar parts (a year-only birth counts from 1 July); with it the schedule of
        # the product in force on the date that covers the person's age (primary doses), picked in this same pass.
        age = "(x.given_y - x.dob_y - CASE WHEN x.given_md < x.dob_md THEN 1 ELSE 0 END)"
        # PostgreSQL: the codes of the one-row checks a row fails, computed in this pass too (no extra scan).
        errs = ""
        if self.pg:
            codes = ", ".join(f"CASE WHEN {cond} THEN '{code}' END" for code, cond in self._row_checks("y.").items())
            errs = f", array_remove(ARRAY[{codes}], NULL) AS errs"
        # Keep the inner query a subquery: flattened, its name-match probe would be repeated for every outer use.
        no_flatten = "OFFSET 0" if self.pg else "LIMIT -1 OFFSET 0"
        self._x(cur, "DROP TABLE IF EXISTS vimp_stg")
        self._x(cur, f"""
            CREATE TEMP TABLE vimp_stg AS
            SELECT y.*, pk.schedule_id, bo.ok AS booster_ok{errs}
            FROM (
            SELECT x.*, COALESCE(x.id_person, CASE WHEN x.name_hit > 0 THEN x.name_hit END) AS person_id,
                   CASE WHEN x.id_person IS NOT NULL THEN x.id_commune WHEN x.name_hit > 0 THEN x.commune_id END AS person_commune_id,
                   CASE WHEN x.name_hit IS NULL THEN 0 WHEN x.name_hit < 0 THEN 2 ELSE 1 END AS name_matches,
                   {age} AS age
            FROM (
            SELECT r.rid + {off} AS line,
                   COALESCE(TRIM({col('id_number')}), '') AS id_number,
                   COALESCE(TRIM({col('full_name')}), '') AS full_name,
                   CASE WHEN COALESCE(TRIM({col('dob')}), '') = '' THEN 0 ELSE 1 END AS dob_given,
                   dob.iso AS dob_iso, dob.day AS dob_day, dob.y AS dob_y, dob.md AS dob_md, dob.year_only AS dob_year_only,
                   CASE WHEN COALESCE(TRIM({col('commune')}), '') = '' THEN 0 ELSE 1 END AS commune_given,
                   u.unit_id AS commune_id,
                   pr.product_id, pr.approved_day,
                   k.kind, n.n AS dose_number,
                   g.iso AS given_iso, g.day AS given_day, g.y AS given_y, g.md AS given_md,
                   COALESCE(TRIM({col('lot')}), '') AS lot, COALESCE(TRIM({col('site')}), '') AS site,
                   p.person_id AS id_person, p.commune_id AS id_commune,
                   -- one probe of people_dup_idx: the person's id if exactly one matches, -1 if several, NULL if none
                   CASE WHEN p.person_id IS NULL AND u.unit_id IS NOT NULL AND dob.y IS NOT NULL
                        THEN (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(p2.id) WHEN COUNT(*) > 1 THEN -1 END
                              FROM people_person p2 WHERE {same_person}) END AS name_hit
            FROM vimp_raw r
            LEFT JOIN vimp_cal dob ON dob.txt = {norm(col('dob'))}
            LEFT JOIN vimp_cal g ON g.txt = {norm(col('given'))} AND g.year_only = 0
            LEFT JOIN vimp_unit u ON u.code = TRIM({col('commune')})
            LEFT JOIN vimp_prod pr ON pr.txt = TRIM({col('product')})
            LEFT JOIN vimp_kind k ON k.txt = COALESCE(TRIM({col('kind')}), '')
            LEFT JOIN vimp_num n ON n.txt = TRIM({col('number')})
            LEFT JOIN vimp_names nm ON nm.full_name = TRIM({col('full_name')})
            LEFT JOIN vimp_ids p ON p.id_number = TRIM({col('id_number')})
            {no_flatten}) x
            ) y
            LEFT JOIN vimp_pick pk ON pk.product_id = y.product_id AND pk.age = CASE WHEN y.age > 120 THEN 120 ELSE y.age END
                                   AND y.given_day BETWEEN pk.from_day AND pk.to_day
            LEFT JOIN vimp_boost bo ON bo.product_id = y.product_id AND y.given_day BETWEEN bo.from_day AND bo.to_day
        """)
        self._analyze(cur, "vimp_stg", "vimp_sched", "vimp_policy", "vimp_mix")

    def _row_checks(self, p: str) -> dict[str, str]:
        """code → SQL condition over one staged row (columns prefixed with p) for the checks that need no other row."""
        today = _day(self.today)
        checks = {
            "given_date": f"{p}given_day IS NULL",
            "future": f"{p}given_day > {today}",
            "dob": f"{p}dob_day IS NULL AND {p}dob_given = 1",
            "before_birth": f"{p}given_day < {p}dob_day AND {p}dob_year_only = 0",
            "product": f"{p}product_id IS NULL",
            "kind": f"{p}kind IS NULL",
            "number": f"{p}dose_number IS NULL",
            "commune": f"{p}commune_id IS NULL AND {p}commune_given = 1",
            "bad_id": f"{p}id_number <> '' AND {p}person_id IS NULL AND NOT (LENGTH({p}id_number) IN (9, 12))",
            "ambiguous": f"{p}person_id IS NULL AND {p}name_matches > 1",
            "unmatched": f"{p}person_id IS NULL AND {p}name_matches <= 1",
            "before_approval": f"{p}given_day < {p}approved_day",
        }
        if self.scoped:
            checks["out_of_scope"] = (f"{p}person_id IS NOT NULL AND {p}person_commune_id NOT IN "
                                      f"(SELECT unit_id FROM vimp_scope)")
        return checks

    def _checks(self, cur) -> None:
        x = lambda sql: self._x(cur, sql)  # noqa: E731
        x("DROP TABLE IF EXISTS vimp_err")
        x("CREATE TEMP TABLE vimp_err (line bigint, code text)")
        x("CREATE INDEX vimp_err_line ON vimp_err (line)")
        if self.pg:
            x("INSERT INTO vimp_err SELECT line, unnest(errs) FROM vimp_stg WHERE cardinality(errs) > 0")
            good = "cardinality(s.errs) = 0"
        else:
            for code, cond in self._row_checks("").items():
                x(f"INSERT INTO vimp_err SELECT line, '{code}' FROM vimp_stg WHERE {cond}")
            good = "NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = s.line)"
        x("DROP TABLE IF EXISTS vimp_ok")
        x(f"""CREATE TEMP TABLE vimp_ok AS
              SELECT s.line, s.person_id, s.person_commune_id, s.product_id, s.kind, s.dose_number, s.given_day, s.given_iso,
                     s.lot, s.site, s.age, s.schedule_id, s.booster_ok
              FROM vimp_stg s WHERE {good}""")
        self._analyze(cur, "vimp_ok")
        x("""INSERT INTO vimp_err SELECT o.line, 'schedule' FROM vimp_ok o WHERE o.kind = 'primary' AND o.schedule_id IS NULL""")
        x("""INSERT INTO vimp_err SELECT o.line, 'too_many' FROM vimp_ok o JOIN vimp_sched sc ON sc.schedule_id = o.schedule_id
             WHERE o.kind = 'primary' AND o.dose_number > sc.primary_doses""")
        x("""INSERT INTO vimp_err SELECT o.line, 'no_policy' FROM vimp_ok o WHERE o.kind <> 'primary' AND NOT EXISTS
             (SELECT 1 FROM vimp_policy p WHERE o.given_day BETWEEN p.from_day AND p.to_day)""")
        x("""INSERT INTO vimp_err SELECT o.line, CASE WHEN o.age < p.age_min THEN 'wrong_age' ELSE 'too_many' END
             FROM vimp_ok o JOIN vimp_policy p ON o.given_day BETWEEN p.from_day AND p.to_day
             WHERE o.kind <> 'primary' AND (o.age < p.age_min
                OR o.dose_number > CASE WHEN o.kind = 'additional' THEN p.max_additional ELSE p.max_boosters END)""")
        x("""INSERT INTO vimp_err SELECT o.line, 'not_booster' FROM vimp_ok o WHERE o.kind <> 'primary' AND COALESCE(o.booster_ok, 0) = 0""")
        x("""INSERT INTO vimp_err SELECT line, 'duplicate_in_file' FROM (
                SELECT line, ROW_NUMBER() OVER (PARTITION BY person_id, kind, dose_number ORDER BY line) AS rn FROM vimp_ok) d
             WHERE d.rn > 1""")
        # Earlier records of the same dose: identical → already present (skipped); different → conflict.
        x("DROP TABLE IF EXISTS vimp_old")
        x(f"""CREATE TEMP TABLE vimp_old AS
              SELECT i.person_id, i.dose_kind AS kind, i.dose_number, {self._dayno('i.given_on')} AS given_day, i.product_id,
                     i.completes_primary, i.schedule_id
              FROM vaccination_injection i WHERE i.person_id IN (SELECT person_id FROM vimp_ok)""")
        x("CREATE INDEX vimp_old_key ON vimp_old (person_id, kind, dose_number)")
        self._analyze(cur, "vimp_old", "vimp_err")
        x("""INSERT INTO vimp_err SELECT o.line, 'conflict' FROM vimp_ok o JOIN vimp_old d
             ON d.person_id = o.person_id AND d.kind = o.kind AND d.dose_number = o.dose_number
             WHERE d.given_day <> o.given_day OR d.product_id <> o.product_id""")
        # Sequence, interval and mixing, over each person's earlier and new doses together.
        x("DROP TABLE IF EXISTS vimp_seq")
        x("""CREATE TEMP TABLE vimp_seq AS
             SELECT c.*, LAG(c.dose_number) OVER w AS prev_number, LAG(c.given_day) OVER w AS prev_day,
                    LAG(c.product_id) OVER w AS prev_product
             FROM (
                SELECT o.line, o.person_id, o.kind, o.dose_number, o.given_day, o.product_id, o.schedule_id,
                       CASE WHEN o.kind = 'primary' AND o.dose_number = sc.primary_doses THEN 1 ELSE 0 END AS completes
                FROM vimp_ok o LEFT JOIN vimp_sched sc ON sc.schedule_id = o.schedule_id
                WHERE NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = o.line)
                  AND NOT EXISTS (SELECT 1 FROM vimp_old d WHERE d.person_id = o.person_id AND d.kind = o.kind AND d.dose_number = o.dose_number)
                UNION ALL
                SELECT NULL, d.person_id, d.kind, d.dose_number, d.given_day, d.product_id, d.schedule_id,
                       CASE WHEN d.completes_primary THEN 1 ELSE 0 END
                FROM vimp_old d
             ) c
             WINDOW w AS (PARTITION BY c.person_id, c.kind ORDER BY c.dose_number)""")
        self._analyze(cur, "vimp_seq")
        x("""INSERT INTO vimp_err SELECT line, 'out_of_order' FROM vimp_seq
             WHERE line IS NOT NULL AND dose_number <> COALESCE(prev_number, 0) + 1""")
        x("""INSERT INTO vimp_err SELECT q.line, 'too_early' FROM vimp_seq q JOIN vimp_sched sc ON sc.schedule_id = q.schedule_id
             WHERE q.line IS NOT NULL AND q.kind = 'primary' AND q.prev_day IS NOT NULL AND q.given_day - q.prev_day < sc.min_days""")
        x("""INSERT INTO vimp_err SELECT q.line, 'forbidden_mix' FROM vimp_seq q
             WHERE q.line IS NOT NULL AND q.kind = 'primary' AND q.prev_product IS NOT NULL AND q.prev_product <> q.product_id
               AND NOT EXISTS (SELECT 1 FROM vimp_mix m WHERE m.schedule_id = q.schedule_id AND m.other_id = q.prev_product)""")
        # Additional and booster doses: after the completed primary series, at the interval of the policy in force.
        x("DROP TABLE IF EXISTS vimp_base")
        x("""CREATE TEMP TABLE vimp_base AS
             SELECT person_id, MIN(CASE WHEN completes = 1 THEN given_day END) AS done_day,
                    MAX(CASE WHEN kind = 'additional' THEN given_day END) AS additional_day
             FROM vimp_seq GROUP BY person_id""")
        self._analyze(cur, "vimp_base")
        x("""INSERT INTO vimp_err SELECT q.line, 'primary_incomplete' FROM vimp_seq q JOIN vimp_base b ON b.person_id = q.person_id
             WHERE q.line IS NOT NULL AND q.kind <> 'primary' AND (b.done_day IS NULL OR b.done_day > q.given_day)""")
        x("""INSERT INTO vimp_err SELECT q.line, 'too_early' FROM vimp_seq q JOIN vimp_base b ON b.person_id = q.person_id
             JOIN vimp_policy p ON q.given_day BETWEEN p.from_day AND p.to_day
             WHERE q.line IS NOT NULL AND q.kind <> 'primary' AND b.done_day <= q.given_day AND (
                   (q.kind = 'additional' AND q.given_day - b.done_day < p.additional_min)
                OR (q.kind = 'booster' AND q.dose_number = 1
                    AND q.given_day - CASE WHEN b.additional_day IS NOT NULL AND b.additional_day > b.done_day AND b.additional_day < q.given_day
                                           THEN b.additional_day ELSE b.done_day END < p.booster_min)
                OR (q.kind = 'booster' AND q.dose_number > 1 AND q.given_day - q.prev_day < p.booster_next))""")

    def _insert(self, cur) -> int:
        now = timezone.now()
        self._analyze(cur, "vimp_err")
        if not self.pg:  # the people touched, for services.refresh_summary (PostgreSQL sums up from vimp_seq)
            self._x(cur, "DROP TABLE IF EXISTS vimp_new")
            self._x(cur, """CREATE TEMP TABLE vimp_new AS SELECT DISTINCT o.person_id FROM vimp_ok o
                            WHERE NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = o.line)
                              AND NOT EXISTS (SELECT 1 FROM vimp_old d WHERE d.person_id = o.person_id AND d.kind = o.kind AND d.dose_number = o.dose_number)""")
        rebuild = self._drop_secondary_indexes(cur) if self.pg else []
        jsonb = "CAST('[]' AS jsonb)" if self.pg else "'[]'"
        self._x(cur, f"""
            INSERT INTO vaccination_injection (person_id, commune_id, product_id, schedule_id, dose_kind, dose_number, given_on,
                lot, site, vaccinator_name, completes_primary, warnings, override_reason, source, batch_id, version, created_at, updated_at)
            SELECT o.person_id, o.person_commune_id, o.product_id, o.schedule_id, o.kind, o.dose_number, {self._as_date('o.given_iso')},
                   o.lot, o.site, '', CASE WHEN o.kind = 'primary' AND o.dose_number = sc.primary_doses THEN {'TRUE' if self.pg else '1'} ELSE {'FALSE' if self.pg else '0'} END,
                   {jsonb}, '', 'import', %s, 1, %s, %s
            FROM vimp_ok o LEFT JOIN vimp_sched sc ON sc.schedule_id = o.schedule_id
            WHERE NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = o.line)
              AND NOT EXISTS (SELECT 1 FROM vimp_old d WHERE d.person_id = o.person_id AND d.kind = o.kind AND d.dose_number = o.dose_number)
            ORDER BY o.person_id, o.kind, o.dose_number
        """, [self.batch.pk if self.batch else None, now, now])
        added = cur.rowcount
        if rebuild:  # the deferred foreign-key checks of the new rows first: an index cannot be built while they wait
            cur.execute("""SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint
                           WHERE conrelid = 'vaccination_injection'::regclass AND contype = 'f' AND condeferred""")
            names = cur.fetchone()[0]
            if names:
                self._x(cur, f"SET CONSTRAINTS {names} IMMEDIATE")
        for sql in rebuild:
            self._x(cur, sql)
        return added

    def _drop_secondary_indexes(self, cur) -> list[str]:
        """When the import at least doubles the injections, building the plain (non-unique) indexes once after the
        insert is cheaper than maintaining them row by row. Dropped and rebuilt inside the import's transaction (so
        readers of the table wait for it rather than see it without them); the unique ones stay and keep checking.
        Returns the statements that rebuild them."""
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'vaccination_injection'::regclass")
        present = max(cur.fetchone()[0], 0)
        cur.execute("SELECT COUNT(*) FROM vimp_seq WHERE line IS NOT NULL")
        if cur.fetchone()[0] < max(present, self.rebuild_indexes_from):
            return []
        cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                       WHERE i.indrelid = 'vaccination_injection'::regclass AND NOT i.indisunique AND NOT i.indisprimary""")
        rows = cur.fetchall()
        for name, _ in rows:
            self._x(cur, f'DROP INDEX "{name}"')
        if rows:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        return [sql for _, sql in rows]

    def _summary(self, cur) -> None:
        """The per-person summary of the people touched, from the staging tables (their earlier doses are in
        vimp_old, the new ones in vimp_seq) instead of re-reading the injections: the same figures as
        services.refresh_summary."""
        from .services import _birth_date_sql, refresh_summary

        if not self.pg:
            refresh_summary(person_filter_sql="SELECT person_id FROM vimp_new")
            return
        # Everyone with a new row in vimp_seq is recomputed (those whose new rows were all refused keep their
        # earlier doses, also in vimp_seq): deleted, then inserted again if they have any dose left.
        self._x(cur, "DELETE FROM vaccination_personvaccination WHERE person_id IN "
                     "(SELECT person_id FROM vimp_seq WHERE line IS NOT NULL)")
        day = "DATE '1970-01-01' + "
        ok = "FILTER (WHERE q.ok)"
        self._x(cur, f"""
            INSERT INTO vaccination_personvaccination
                (person_id, commune_id, birth_date, first_on, primary_done_on, additional_on, booster1_on, last_on, dose_count)
            SELECT q.person_id, p.commune_id, {_birth_date_sql()}, {day}MIN(q.given_day) {ok},
                   {day}MIN(CASE WHEN q.completes = 1 THEN q.given_day END) {ok},
                   {day}MIN(CASE WHEN q.kind = 'additional' THEN q.given_day END) {ok},
                   {day}MIN(CASE WHEN q.kind = 'booster' THEN q.given_day END) {ok},
                   {day}MAX(q.given_day) {ok}, COUNT(*) {ok}
            FROM (SELECT s.*, (s.line IS NULL OR NOT EXISTS (SELECT 1 FROM vimp_err e WHERE e.line = s.line)) AS ok
                  FROM vimp_seq s OFFSET 0) q  -- OFFSET 0: `ok` computed once per row, not once per aggregate
            JOIN people_person p ON p.id = q.person_id
            GROUP BY q.person_id, p.commune_id, p.date_of_birth, p.birth_year
            HAVING COUNT(q.line) > 0 AND COUNT(*) {ok} > 0""")

    def error_rows(self, cur, limit: int | None = None) -> list[dict]:
        sql = "SELECT e.line, e.code FROM vimp_err e ORDER BY e.line, e.code" + (f" LIMIT {int(limit)}" if limit else "")
        cur.execute(sql)
        out = []
        for line, code in cur.fetchall():
            key, vi, en = MESSAGES[code]
            out.append({"line": line, "column": HEADER_OF[key], "code": code, "message_vi": vi, "message_en": en})
        return out

    def write_error_csv(self, target) -> int:
        """All rejected rows (line, column, code, vi, en) as CSV into a text stream."""
        with connection.cursor() as cur:
            rows = self.error_rows(cur)
        w = csv.writer(target)
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


_CAL_CACHE: list | None = None


def _calendar_rows() -> list:
    """Every written form of every date 1900–2035 → (text, ISO, day number, year, month*100+day, year_only)."""
    global _CAL_CACHE
    if _CAL_CACHE is None:
        rows = {}
        d = CAL_FIRST
        one = dt.timedelta(days=1)
        while d <= CAL_LAST:
            iso, day, md = d.isoformat(), _day(d), d.month * 100 + d.day
            for txt in {f"{d.day}/{d.month}/{d.year}", f"{d.day:02}/{d.month:02}/{d.year}", f"{d.day}/{d.month:02}/{d.year}",
                        f"{d.day:02}/{d.month}/{d.year}", f"{d.year}/{d.month:02}/{d.day:02}"}:
                rows[txt] = (txt, iso, day, d.year, md, 0)
            d += one
        for y in range(CAL_FIRST.year, CAL_LAST.year + 1):
            rows[str(y)] = (str(y), f"{y}-07-01", _day(dt.date(y, 7, 1)), y, 701, 1)
        _CAL_CACHE = list(rows.values())
    return _CAL_CACHE
