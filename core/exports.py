"""File responses for exports. The caller's service records the export in the audit trail.

Every CSV and XLSX cell that leaves the system goes through `formula_safe`: a spreadsheet opening the file must
never run a resident's name such as `=HYPERLINK("http://…")` as a formula (CSV/formula injection).
"""
import csv
import re

from django.http import HttpResponse

# Spreadsheets start a formula with these; tab and CR can hide one after a "harmless" first cell in CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "+84", "-1,5") cannot be a formula and stays readable as a number.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def formula_safe(value):
    """The value as a spreadsheet should show it: text starting like a formula gets a leading apostrophe (the
    spreadsheet's own "this is text" mark); numbers, dates, blanks and numeric text are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [formula_safe(v) for v in row]


class SafeWriter:
    """csv.writer whose every cell goes through formula_safe."""

    def __init__(self, target, **kwargs):
        self._w = csv.writer(target, **kwargs)

    def writerow(self, row):
        return self._w.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every value goes through formula_safe."""

    def writerow(self, rowdict):
        return super().writerow({k: formula_safe(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def xlsx_value(ws, value):
    """One XLSX cell's content: a date or a time becomes a real date cell shown dd/mm/yyyy (hh:mm), in local time
    (a spreadsheet has no time zones), so it sorts and filters as a date; text is formula-safe."""
    import datetime as dt

    if isinstance(value, dt.date):
        from django.utils import timezone
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(ws, value=value)  # a plain Cell: both write-only and ordinary sheets take it
        cell.number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
        return cell
    return formula_safe(value)


def xlsx_append(ws, row) -> None:
    """openpyxl's ws.append with every cell formula-safe (openpyxl stores text starting with "=" as a formula) and
    every date a real date shown dd/mm/yyyy."""
    ws.append([xlsx_value(ws, v) for v in row])


def csv_response(filename: str, columns: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = SafeWriter(response)
    writer.writerow(columns)
    writer.writerows(rows)
    return response
