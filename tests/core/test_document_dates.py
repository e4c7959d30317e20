"""Files the system hands out (DOCX, PDF, XLSX) show dates as dd/mm/yyyy: opened and searched for ISO dates, and the
XLSX dates are real dates (they sort and filter as dates) shown "dd/mm/yyyy"."""
import datetime as dt
import io
import re

import pytest

pytestmark = pytest.mark.django_db
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DAY = dt.date(2022, 2, 14)


def _xlsx_problems(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    wrong = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and ISO.search(cell.value):
                    wrong.append(f"{ws.title}!{cell.coordinate}: {cell.value}")
                if isinstance(cell.value, dt.date) and not cell.number_format.startswith("dd/mm/yyyy"):
                    wrong.append(f"{ws.title}!{cell.coordinate}: format {cell.number_format}")
    return wrong


def test_xlsx_dates_are_real_dates_shown_day_month_year():
    from django.utils import timezone
    from openpyxl import Workbook, load_workbook

    from core.exports import xlsx_append

    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("t") if write_only else wb.active
        xlsx_append(ws, ["=1+1", DAY, timezone.make_aware(dt.datetime(2022, 2, 14, 23, 30), dt.UTC), 3])
        buf = io.BytesIO()
        wb.save(buf)
        a, b, c, d = next(load_workbook(io.BytesIO(buf.getvalue())).worksheets[-1].iter_rows())
        assert a.value == "'=1+1" and d.value == 3
        assert b.is_date and b.value.date() == DAY and b.number_format == "dd/mm/yyyy"
        # Local time (Asia/Ho_Chi_Minh, UTC+7): 23:30 UTC is 06:30 the next morning.
        assert c.is_date and c.value == dt.datetime(2022, 2, 15, 6, 30) and c.number_format == "dd/mm/yyyy hh:mm"


def test_the_daily_report_in_docx_pdf_and_xlsx_has_no_iso_date(personas, kontum, commune_a, person_factory):
    import docx
    from pypdf import PdfReader

    from cases.models import Case
    from directives import services as ds
    from diseases.models import Disease
    from reports import services
    from tests.directives.conftest import seed_text

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    Case.objects.create(person=person_factory(commune_a), disease=disease, commune=commune_a, confirmed_on=DAY,
                        test_kind="rt_pcr", detected_in="community", care_setting="home")
    d = ds.register_directive(by=personas["health_dept"], text=seed_text("004"))  # overdue tasks with deadlines
    tasks = [{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in d.parsed["tasks"]]
    ds.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    report = services.generate_report(DAY, by=personas["health_dept"])
    document = docx.Document(io.BytesIO(report.docx.read()))
    texts = [p.text for p in document.paragraphs] + [c.text for t in document.tables for c in t._cells]
    assert any("08/01/2022" in t for t in texts)  # an overdue task's deadline, as the reader writes it
    assert not [t for t in texts if ISO.search(t)]
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "08/01/2022" in pdf and not ISO.search(pdf)
    assert not _xlsx_problems(report.xlsx.read())


def test_the_subject_access_export_writes_dates_as_dates(personas, commune_a, person_factory):
    from dataprotection.services import export_person_data

    person = person_factory(commune_a, date_of_birth=dt.date(1980, 3, 9))
    data = export_person_data(by=personas["admin"], person=person)
    assert not _xlsx_problems(data)
    from openpyxl import load_workbook

    cells = [c for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row]
    assert any(c.is_date and c.value.date() == dt.date(1980, 3, 9) for c in cells)


def test_supplies_lists_write_dates_as_dates():
    from supplies.documents import xlsx

    data = xlsx("sap-het-han", ["Vật tư", "Hạn dùng"], [["Bơm tiêm", DAY]])
    assert not _xlsx_problems(data)


def test_date_time_fields_read_day_month_year_and_hours():
    from core.parsing import ParseError, parse_datetime

    assert parse_datetime("14/02/2022 07:30") == dt.datetime(2022, 2, 14, 7, 30)
    assert parse_datetime("14/02/2022 7h30") == dt.datetime(2022, 2, 14, 7, 30)
    assert parse_datetime("14/02/2022") == dt.datetime(2022, 2, 14)
    assert parse_datetime("2022-02-14T07:30") == dt.datetime(2022, 2, 14, 7, 30)  # forms opened before the change
    for bad in ("02/14/2022 07:30", "14/02/2022 25:00", "hôm nay"):
        with pytest.raises(ParseError):
            parse_datetime(bad)
