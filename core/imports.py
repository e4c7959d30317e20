"""Tabular imports (CSV and XLSX) that validate every row and never leave half an import behind.

An importer subclasses TableImporter, declares its columns (with the Vietnamese headers users write and
English aliases) and implements `clean_row` (returns cleaned values or raises RowInvalid) and `save_rows`.
`run()` reads the whole file, validates every row, and then:
  * mode "all" (default): saves nothing if any row is bad;
  * mode "valid_only": saves the good rows, reports the bad ones.
Saving happens in one transaction, so a crash mid-import leaves nothing behind.
"""
import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes
from django.db import transaction

from .parsing import ParseError
from .text import fold


@dataclass
class RowError:
    line: int
    column: str | None
    message_vi: str
    message_en: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message_vi": self.message_vi, "message_en": self.message_en}

    def __str__(self) -> str:
        col = f" [{self.column}]" if self.column else ""
        return f"Dòng/Line {self.line}{col}: {self.message_vi} / {self.message_en}"


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, format, headers)."""

    def __init__(self, vi: str, en: str):
        self.message_vi, self.message_en = vi, en
        super().__init__(f"{vi} / {en}")


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str | None, str, str]]):
        self.errors = errors  # (column, vi, en)
        super().__init__(errors)


@dataclass
class ImportResult:
    total_rows: int = 0
    imported: int = 0
    skipped_duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False
    notes: list[str] = field(default_factory=list)
    skipped: list[RowError] = field(default_factory=list)  # rows not imported because already present (not errors)
    extra: dict = field(default_factory=dict)  # what the kind's page shows besides the report (JSON)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
            "saved": self.saved,
            "errors": [e.as_dict() for e in self.errors],
            "notes": self.notes,
        }


@dataclass
class Column:
    key: str
    headers: tuple[str, ...]  # accepted header texts; compared diacritic- and case-insensitively
    required: bool = False
    max_length: int | None = None  # characters the database column holds (else CELL_MAX)


# -- what the database cannot store -------------------------------------------------------------------------------------
# PostgreSQL refuses NUL in text; control characters and the replacement character left by impossible bytes are
# never meant. Such a cell, or one longer than its column, is a row error (line, column, vi/en), never a 500.
CELL_MAX = 1000
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ud800-\udfff]")
UNSTORABLE_PATTERN = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x{fffd}]"  # the same, as a polars (Rust) regex
UNSTORABLE_VI = "Ô chứa ký tự không lưu được (ký tự NUL, ký tự điều khiển hoặc byte sai bảng mã)."
UNSTORABLE_EN = "The cell holds characters that cannot be stored (NUL, control characters or impossible bytes)."


def storable_cell(cells: list, i: int | None):
    """The cell at i, or None when it is missing or the database could not hold it (it is reported by the row)."""
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    if isinstance(value, str) and (len(value) > CELL_MAX or UNSTORABLE.search(value)):
        return None
    return value


def too_long_messages(limit: int) -> tuple[str, str]:
    return f"Ô quá dài (tối đa {limit} ký tự).", f"The cell is too long ({limit} characters at most)."


def cell_problems(values: dict, labels: dict[str, str], limits: dict[str, int]) -> list[tuple[str | None, str, str]]:
    """(column, vi, en) for each cell of a row that the database could not store."""
    problems = []
    for key, value in values.items():
        if not isinstance(value, str):
            continue
        if UNSTORABLE.search(value):
            problems.append((labels.get(key), UNSTORABLE_VI, UNSTORABLE_EN))
        elif len(value) > limits.get(key, CELL_MAX):
            problems.append((labels.get(key), *too_long_messages(limits.get(key, CELL_MAX))))
    return problems


def decode_text(data: bytes) -> str:
    """UTF-8 with or without BOM; UTF-16 with BOM; a legacy Windows code page only when detection is sure."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    damaged = data.decode("utf-8", errors="replace")
    bad = damaged.count("\ufffd")
    if sum(1 for ch in damaged if ord(ch) > 127) > 2 * bad:
        # UTF-8 with a few impossible bytes: the rows holding them are reported (UNSTORABLE), the others import.
        return damaged
    best = from_bytes(data, cp_isolation=["cp1258", "cp1252", "utf_16"]).best()
    if best is not None and best.encoding in {"cp1258", "cp1252"} and best.chaos < 0.1:
        return str(best)
    raise FileRejected(
        "Tệp không ở bảng mã UTF-8 và không nhận ra được bảng mã. Hãy lưu lại dưới dạng “CSV UTF-8”.",
        "The file is not UTF-8 and its encoding could not be recognised. Save it again as “CSV UTF-8”.",
    )


def sniff_dialect(text: str):
    """The CSV dialect of a text (comma, semicolon or tab separated); Excel's when the sample does not tell."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def map_header(header: list[str], columns: list[Column]) -> dict[str, int]:
    """Column key → position in the header; headers are compared without diacritics or case, the first match wins.
    A missing required column rejects the file (vi/en)."""
    wanted = {fold(h): c.key for c in columns for h in c.headers}
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        key = wanted.get(fold(h or ""))
        if key and key not in index:
            index[key] = i
    missing = [c.headers[0] for c in columns if c.required and c.key not in index]
    if missing:
        names = ", ".join(missing)
        raise FileRejected(f"Thiếu cột bắt buộc: {names}", f"Missing required column(s): {names}")
    return index


def max_rows() -> int:
    from django.conf import settings

    return int(getattr(settings, "PHONGDICH_IMPORT_MAX_ROWS", 2_000_000))


def check_xlsx(data: bytes) -> None:
    """Refuse an XLSX whose members would expand beyond PHONGDICH_XLSX_MAX_EXPANDED_MB before openpyxl opens it:
    a 1 MB "zip bomb" once held a worker at 3.8 GB. The shared strings are read whole by openpyxl even in read-only
    mode, so they get a quarter of that budget."""
    import zipfile

    from django.conf import settings

    limit = int(getattr(settings, "PHONGDICH_XLSX_MAX_EXPANDED_MB", 500)) * 1024 * 1024
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected("Không mở được tệp Excel.", "The Excel file cannot be opened.")
    total = sum(m.file_size for m in members)
    strings = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if total > limit or strings > limit // 4:
        mb = limit // (1024 * 1024)
        raise FileRejected(f"Tệp Excel khi giải nén vượt quá {mb} MB: hãy chia tệp hoặc lưu dưới dạng CSV.",
                           f"The Excel file expands beyond {mb} MB: split it or save it as CSV.")


def _csv_lines(reader):
    """(line, cells) of a CSV reader; a line the csv module cannot read (an unclosed quote running on, a field
    beyond its limit) rejects the file with its line instead of a 500."""
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            yield line, cells
    except csv.Error:
        raise FileRejected(f"Không đọc được tệp CSV sau dòng {line}: dấu ngoặc kép không đóng hoặc ô quá dài.",
                           f"The CSV file cannot be read after line {line}: an unclosed quote or an over-long cell.")


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are valid UTF-8, checked a megabyte at a time (no decoded copy of the whole file is kept)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    try:
        for i in range(0, len(data), step):
            decoder.decode(data[i:i + step], final=i + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _text_stream(data: bytes) -> io.TextIOBase:
    """The file's text as a stream: UTF-8 (with or without BOM) and UTF-16 with BOM are decoded as they are read;
    a legacy code page or damaged UTF-8 (rare, and found only by looking at the whole file) is decoded at once."""
    if data.startswith(b"\xef\xbb\xbf"):
        if _is_utf8(data):
            return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-16", newline="")
    elif _is_utf8(data):
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    return io.StringIO(decode_text(data), newline="")


class Rows:
    """The data rows of a file as (line number, cells), parsed again from its bytes at each pass, so that a large
    file is never held in memory as Python rows. Cells right of the header are dropped (nothing to import there,
    nor room for a memory bomb); empty rows are skipped; more than PHONGDICH_IMPORT_MAX_ROWS rows reject the file.
    `len()` is known after a first full pass (or costs one)."""

    def __init__(self, numbered, header_line: int, width: int):
        self.numbered, self.header_line, self.width = numbered, header_line, width
        self._count: int | None = None

    def __iter__(self):
        most, count, width = max_rows(), 0, self.width
        for line, cells in self.numbered():
            if line <= self.header_line:
                continue
            cells = cells[:width]
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            count += 1
            if count > most:
                raise FileRejected(f"Tệp có hơn {most:,} dòng dữ liệu: hãy chia thành nhiều tệp.".replace(",", "."),
                                   f"The file has more than {most:,} data rows: split it into several files.")
            yield line, [c.strip() if isinstance(c, str) else c for c in cells]
        self._count = count

    def __len__(self) -> int:
        if self._count is None:
            for _ in self:
                pass
        return self._count

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None


def read_rows(data: bytes, filename: str) -> tuple[list[str], Rows]:
    """Header and the data rows (line number, cells) of a CSV or XLSX file. Line numbers are as the user sees them.
    The rows are read as a stream at each pass over them (see Rows)."""
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        check_xlsx(data)

        def numbered():
            try:
                wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                rows = wb.worksheets[0].iter_rows(values_only=True)
            except Exception:
                raise FileRejected("Không mở được tệp Excel.", "The Excel file cannot be opened.")
            try:
                for i, r in enumerate(rows, start=1):
                    yield i, list(r)
            finally:
                wb.close()
    elif suffix in {".csv", ".txt", ""}:
        stream = _text_stream(data)
        dialect = sniff_dialect(stream.read(4096))

        def numbered():
            stream.seek(0)
            yield from _csv_lines(csv.reader(stream, dialect))
    else:
        raise FileRejected(
            f"Định dạng tệp không được hỗ trợ: {suffix}. Dùng CSV hoặc XLSX.",
            f"Unsupported file type: {suffix}. Use CSV or XLSX.",
        )
    for line, cells in numbered():
        if any(c not in (None, "") and str(c).strip() for c in cells):
            header = [str(c).strip() if c is not None else "" for c in cells]
            while header and not header[-1]:
                header.pop()
            return header, Rows(numbered, line, len(header))
    raise FileRejected("Tệp rỗng.", "The file is empty.")


class CleanRow(Mapping):
    """A cleaned row, read-only: the values in a tuple and the keys shared by every row of the same shape. A dict
    per row costs about three times as much, which a million-row file feels (bench/people_import_memory.py)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple):
        self._index, self._values = index, values

    def __getitem__(self, key):
        return self._values[self._index[key]]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"CleanRow({dict(self)!r})"


class TableImporter:
    columns: list[Column] = []
    # Name used in the audit trail.
    audit_label: str = "import"

    def __init__(self, *, by, mode: str = "all", progress=None):
        self.by = by
        self.mode = mode
        self.progress = progress or (lambda done, total: None)

    # -- to implement -------------------------------------------------------------------------------
    def clean_row(self, values: dict, line: int) -> dict:
        raise NotImplementedError

    def check_rows(self, rows: list[tuple[int, dict]]) -> list[RowError]:
        """Checks across rows (duplicates inside the file, lookups done in bulk). Default: none."""
        return []

    def save_rows(self, rows: list[tuple[int, dict]], result: ImportResult) -> None:
        raise NotImplementedError

    # -- machinery ----------------------------------------------------------------------------------
    def map_header(self, header: list[str]) -> dict[str, int]:
        return map_header(header, self.columns)

    def prepare(self, index: dict[str, int], body: list[tuple[int, list]]) -> None:
        """Bulk look-ups over the raw rows before they are cleaned (read `storable_cell`s only). Default: none."""

    def stage(self):
        """A core.staging.Stage to hold the cleaned rows instead of a Python list (large imports); None: a list.
        With a stage, `stage_values(row)` gives a row's staged values, and check_rows/save_rows receive the stage."""
        return None

    def stage_values(self, row: dict) -> tuple:
        raise NotImplementedError

    def run(self, data: bytes, filename: str) -> ImportResult:
        result = ImportResult()
        header, body = read_rows(data, filename)
        index = self.map_header(header)
        self.prepare(index, body)
        result.total_rows = total = len(body)  # one pass, unless prepare() made it
        stage = self.stage()
        try:
            return self._run(body, header, index, total, result, stage)
        finally:
            if stage is not None:
                stage.drop()

    def _run(self, body, header, index, total, result, stage) -> ImportResult:
        cleaned: list[tuple[int, dict]] = []
        shapes: dict[tuple, dict[str, int]] = {}
        labels = {key: header[i] for key, i in index.items()}
        limits = {c.key: c.max_length for c in self.columns if c.max_length}
        for n, (line, cells) in enumerate(body, start=1):
            values = {key: (cells[i] if i < len(cells) else None) for key, i in index.items()}
            unstorable = cell_problems(values, labels, limits)
            if unstorable:
                result.errors.extend(RowError(line, col, vi, en) for col, vi, en in unstorable)
                continue
            try:
                row = self.clean_row(values, line)
                if stage is not None:
                    stage.add(line, self.stage_values(row))
                else:
                    if type(row) is dict:
                        keys = tuple(row)
                        positions = shapes.get(keys) or shapes.setdefault(keys, {k: i for i, k in enumerate(keys)})
                        row = CleanRow(positions, tuple(row.values()))
                    cleaned.append((line, row))
            except RowInvalid as exc:
                result.errors.extend(RowError(line, col, vi, en) for col, vi, en in exc.errors)
            except ParseError as exc:
                result.errors.append(RowError(line, None, exc.vi, exc.en))
            if n % 5000 == 0:
                self.progress(n, total)
        if stage is not None:
            # The stage holds only cleaned rows; check_rows flags the rows it rejects, save_rows reads the others.
            stage.finish()
            result.errors.extend(self.check_rows(stage))
            good = stage
        else:
            bad_lines = {e.line for e in result.errors}
            cross = self.check_rows([r for r in cleaned if r[0] not in bad_lines])
            result.errors.extend(cross)
            bad_lines |= {e.line for e in cross}
        result.errors.sort(key=lambda e: e.line)
        if result.errors and self.mode != "valid_only":
            return result
        if stage is None:
            good = [r for r in cleaned if r[0] not in bad_lines]
            del cleaned
        with transaction.atomic():
            self.save_rows(good, result)
            result.saved = True
            self.after_save(result)
        self.progress(total, total)
        return result

    def after_save(self, result: ImportResult) -> None:
        from core.auditing import record

        record(
            actor=self.by,
            action="import",
            target_label=self.audit_label,
            note=f"{result.imported} rows imported, {len(result.errors)} rejected",
        )
