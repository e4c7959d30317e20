"""The daily situation report: built from the system's data, DOCX/PDF/XLSX in the official layout, archived."""
import datetime as dt
import io

import pytest
from django.urls import reverse

from reports import builder, services
from reports.models import SituationReport

DAY = dt.date(2022, 2, 14)


def make_case(person_factory, commune, **kw):
    from cases.models import Case
    from diseases.models import Disease

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    defaults = {"confirmed_on": DAY, "test_kind": "rt_pcr", "detected_in": "community", "care_setting": "home"}
    defaults.update(kw)
    return Case.objects.create(person=person_factory(commune), disease=disease, commune=commune, **defaults)


@pytest.fixture
def figures(person_factory, commune_a, commune_b):
    make_case(person_factory, commune_a)
    make_case(person_factory, commune_a, detected_in="quarantine")
    make_case(person_factory, commune_b, detected_in="facility", care_setting="hospital")
    make_case(person_factory, commune_b, confirmed_on=DAY - dt.timedelta(days=10), status="recovered", released_on=DAY)
    make_case(person_factory, commune_b, confirmed_on=DAY - dt.timedelta(days=5), status="died", died_on=DAY - dt.timedelta(days=1))


def test_it_counts_the_days_cases_from_the_registry(figures, commune_a, commune_b):
    data = builder.build(DAY)
    c = data["sections"]["cases"]
    assert c["new"] == {"community": 1, "quarantine": 1, "facility": 1, "total": 3}
    assert (c["cumulative"], c["recovered"], c["recovered_today"], c["deaths"], c["deaths_today"]) == (5, 1, 1, 1, 0)
    assert (c["active_home"], c["active_hospital"]) == (2, 1)
    # Today's map by default: each pre-2025 commune's cases in its default 2025 successor.
    new_a, new_b = (x.successor_links.get(is_default=True).new_unit for x in (commune_a, commune_b))
    per_commune = {r["commune"]: (r["community"], r["quarantine"], r["facility"]) for r in c["communes"]}
    assert data["structure"] == "2025"
    assert per_commune == {new_a.name: (1, 1, 0), new_b.name: (0, 0, 1)}
    old = builder.build(DAY, structure="pre2025")["sections"]["cases"]
    per_commune = {r["commune"]: (r["community"], r["quarantine"], r["facility"]) for r in old["communes"]}
    assert per_commune == {commune_a.name: (1, 1, 0), commune_b.name: (0, 0, 1)}


def test_it_computes_cases_per_million_and_fatality_from_hand_entered_figures(figures, personas):
    services.save_outside_figures(by=personas["health_dept"], day=DAY, values={
        "national_cases": 11_000_000, "national_deaths": 43_000, "national_population": 98_500_000,
        "world_rank": 13, "countries": 230, "province_population": 570_000, "source": "Bộ Y tế"})
    o = builder.build(DAY)["sections"]["outside"]
    assert o["national_per_million"] == 111_675
    assert o["national_cfr"] == 0.39
    assert o["province_per_million"] == round(5 * 1_000_000 / 570_000)
    assert o["province_cfr"] == 20.0


def test_a_section_whose_query_fails_is_reported_unavailable_and_the_rest_still_renders(kontum, monkeypatch):
    from django.db import DatabaseError

    from cases import selectors as cases_selectors

    def failing(day, prefix, **kw):
        raise DatabaseError("canceling statement due to statement timeout")

    monkeypatch.setattr(cases_selectors, "daily_figures", failing)
    data = builder.build(DAY)
    assert "cases" not in data["sections"] and "timeout" in data["unavailable"]["cases"]
    assert "testing" in data["sections"] and "tasks" in data["sections"]
    from reports.models import ReportSetup
    from reports.render import to_docx

    report = SituationReport(day=DAY, cut_at=dt.datetime(2022, 2, 14, 7, 0), data=data, number="1/BC-BCĐ")
    assert to_docx(report, ReportSetup.current())  # still renders


def test_the_docx_opens_and_contains_the_days_figures_in_the_official_layout(figures, personas):
    import docx

    report = services.generate_report(DAY, by=personas["health_dept"])
    document = docx.Document(io.BytesIO(report.docx.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    header = " ".join(c.text for c in document.tables[0]._cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header and "Độc lập - Tự do - Hạnh phúc" in header
    assert "Kon Tum, ngày 14 tháng 02 năm 2022" in header and f"Số: {report.number}" in header
    assert "BÁO CÁO" in text and "ghi nhận 3 ca mắc mới" in text and "Cộng dồn 5 ca" in text
    signature = " ".join(c.text for c in document.tables[-1]._cells)
    assert "Nơi nhận:" in signature and "KT. TRƯỞNG BAN" in signature


def test_the_pdf_and_xlsx_are_produced_and_archived_for_download(figures, personas, client_for):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    # The pre-2025 communes on request (the exports follow the report's structure).
    report = services.generate_report(DAY, by=personas["health_dept"], structure="pre2025")
    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.pdf.read())).pages).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text and "Phường Quang Trung" in pdf_text
    wb = load_workbook(io.BytesIO(report.xlsx.read()))
    assert any(row[1] == "Phường Quang Trung" for row in wb["Bang 1"].iter_rows(values_only=True))
    c = client_for(personas["leader"])
    r = c.get(reverse("reports:download", args=[report.pk, "docx"]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert client_for(personas["commune_a"]).get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 403
    assert reverse("reports:download", args=[report.pk, "pdf"]) in c.get(reverse("reports:list")).content.decode()


def test_it_is_generated_by_the_scheduled_job_at_the_configured_time(kontum):
    from core.jobs import SCHEDULE

    job = SCHEDULE["reports-daily"]
    assert (job.path, job.hour, job.minute) == ("reports.services.daily_job", "7", "30")
    services.daily_job()
    assert SituationReport.objects.count() == 1


def test_overdue_tasks_appear_in_the_report(personas, kontum):
    """Each task in full (shortened only at a word boundary), so the PDF cell wraps it instead of cutting it."""
    from directives import services as ds
    from tests.directives.conftest import seed_text

    d = ds.register_directive(by=personas["health_dept"], text=seed_text("004"))
    tasks = [{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in d.parsed["tasks"]]
    ds.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    t = builder.build(DAY)["sections"]["tasks"]
    assert t["overdue_count"] > 0 and any(r["deadline"] == "2022-01-08" and r["agency"] == "Sở Y tế" for r in t["overdue"])
    texts = {task.text for task in d.tasks.all()}
    for r in t["overdue"]:
        assert r["text"] in texts or r["text"].endswith(" …"), r["text"]  # whole, or cut between words


def test_the_report_archive_is_readable_through_the_api(personas, api_for, kontum):
    report = services.generate_report(DAY, by=personas["health_dept"])
    rows = api_for(personas["leader"]).get("/api/situation-reports/").json()
    rows = rows.get("results", rows)
    assert rows[0]["number"] == report.number and rows[0]["downloads"]["pdf"].endswith("/tai/pdf/")
    assert api_for(personas["agency"]).get("/api/situation-reports/").status_code == 403


def test_new_f1_counts_the_people_traced_that_day_not_the_rows_typed_in_that_day(person_factory, commune_a, personas):
    """The 580,000-person demo typed every contact in on one day: "new F1 today" read 11,625."""
    from contacts import services as contacts

    case = make_case(person_factory, commune_a, confirmed_on=DAY - dt.timedelta(days=3))
    by = personas["commune_a"]
    for identified in (DAY, DAY, DAY - dt.timedelta(days=2)):
        contacts.add_contact(by=by, source_case=case, person=person_factory(commune_a),
                             last_exposure_on=DAY - dt.timedelta(days=4), identified_on=identified)
    section = builder.build(DAY)["sections"]["contacts"]
    assert section["f1_new"] == 2  # all three rows were typed in today; two were traced on the report's day


def test_the_per_commune_table_on_2025_is_the_sum_of_its_pre2025_communes(person_factory, commune_a):
    from geo.models import UnitCorrespondence

    new = commune_a.successor_links.get(is_default=True).new_unit
    other = UnitCorrespondence.objects.filter(new_unit=new, is_default=True).exclude(old_unit=commune_a).first().old_unit
    make_case(person_factory, commune_a)
    make_case(person_factory, commune_a, detected_in="quarantine")
    make_case(person_factory, other)
    old = {r["commune"]: r["total"] for r in builder.build(DAY, structure="pre2025")["sections"]["cases"]["communes"]}
    assert old == {commune_a.name: 2, other.name: 1}
    rows = builder.build(DAY)["sections"]["cases"]["communes"]
    assert [(r["district"], r["commune"], r["total"]) for r in rows] == [("", new.name, 3)]
    diseases = builder.build(DAY)["sections"]["diseases"]["diseases"]
    rising = {r["unit"]: r["value"] for d in diseases for r in d["rising"]}
    assert rising == {new.name: 3}
