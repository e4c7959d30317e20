"""Parsing of values as Vietnamese users write them (dates dd/mm/yyyy, numbers with dot thousands)."""
import datetime as dt
import re

_DATE_PATTERNS = [
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
]


class ParseError(ValueError):
    def __init__(self, vi: str, en: str):
        self.vi, self.en = vi, en
        super().__init__(f"{vi} / {en}")


def parse_date(value) -> dt.date | None:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), ISO yyyy-mm-dd, or a date from a spreadsheet cell."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if " " in text:  # "01/02/2022 00:00:00" from spreadsheet exports
        text = text.split(" ", 1)[0]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise ParseError(f"Ngày không tồn tại: {value}", f"No such date: {value}")
    raise ParseError(
        f"Ngày không đúng định dạng dd/mm/yyyy: {value}", f"Date is not in dd/mm/yyyy format: {value}"
    )


_DATETIME = re.compile(r"^(?P<date>[^\sT]+)(?:[ T](?P<h>\d{1,2})[:hg](?P<mi>\d{2})?(?::\d{2}(?:\.\d+)?)?)?$")


def parse_datetime(value) -> dt.datetime | None:
    """"dd/mm/yyyy hh:mm" (also "dd/mm/yyyy" for midnight, "14h30", and the ISO "yyyy-mm-ddThh:mm" of older forms), as a
    naive local time."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    text = " ".join(str(value).split())
    m = _DATETIME.match(text)
    if m is None:
        raise ParseError(f"Thời điểm không đúng định dạng dd/mm/yyyy hh:mm: {value}",
                         f"Time is not in dd/mm/yyyy hh:mm format: {value}")
    day = parse_date(m["date"])
    hour, minute = int(m["h"] or 0), int(m["mi"] or 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"Giờ không tồn tại: {value}", f"No such time: {value}")
    return dt.datetime(day.year, day.month, day.day, hour, minute)


def parse_int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(".", "").replace(" ", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise ParseError(f"Không phải số nguyên: {value}", f"Not a whole number: {value}")


def parse_decimal(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "")
    # Vietnamese writes 36,5 for 36.5 and 1.234 for 1234.
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ParseError(f"Không phải số: {value}", f"Not a number: {value}")


def format_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
