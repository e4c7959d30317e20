import io


def csv_bytes(rows, *, bom=False, encoding="utf-8", sep=","):
    text = "\n".join(sep.join(str(c) for c in r) for r in rows) + "\n"
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
