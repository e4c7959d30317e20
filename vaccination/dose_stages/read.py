"""The dose import (vaccination.bulk.DoseImporter), stage 1. Read: the file parsed into columns of text (polars' CSV
reader; XLSX through openpyxl); cells that cannot be stored refused.

A mixin of DoseImporter: it uses the importer's state and its database plumbing (_x, _push, _pull, _copy_rows).
"""
import csv
import io
from pathlib import Path

import polars as pl

from core.imports import (
    CELL_MAX,
    UNSTORABLE_PATTERN,
    FileRejected,
    decode_text,
    map_header,
    read_rows,
    sniff_dialect,
)

from .common import COLUMNS, I32, I64, STR, YEAR_FIRST, YEAR_LAST, _cell_text


class ReadStage:
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
