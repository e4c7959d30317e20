import io
import unicodedata

SHAPE_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: precomposed in cp1258 (â ê ô ă ơ ư)


def to_cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: precomposed â/ê/ô/ă/ơ/ư + combining tone marks."""
    out, base, marks = [], "", []

    def flush():
        if base:
            shape = "".join(m for m in marks if m in SHAPE_MARKS)
            tones = "".join(m for m in marks if m not in SHAPE_MARKS)
            out.append(unicodedata.normalize("NFC", base + shape) + tones)

    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            marks.append(ch)
        else:
            flush()
            base, marks = ch, []
    flush()
    return "".join(out).encode("cp1258")


def csv_bytes(rows, *, bom=False, encoding="utf-8", sep=","):
    text = "\n".join(sep.join(str(c) for c in r) for r in rows) + "\n"
    if encoding == "cp1258":
        return to_cp1258(text)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
