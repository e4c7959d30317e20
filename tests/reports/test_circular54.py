"""Circular 54/2015/TT-BYT: the weekly and monthly summary reports come out of the case records (the figures equal
the records they count), are archived and downloadable again, and the reporting units' timeliness is judged by
the deadlines of the rule base."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import circular54, services
from reports.models import Circular54Report

MONDAY = dt.date(2025, 6, 2)  # week 23 of 2025: 02/06–08/06


@pytest.fixture
def diseases(db):
    from reports.seed_rules import install

    install()


def make_case(person_factory, commune, disease, confirmed_on, **kw):
    from cases.models import Case
    from diseases.models import Disease

    return Case.objects.create(person=person_factory(commune), disease=Disease.objects.get(code=disease), commune=commune,
                               confirmed_on=confirmed_on, test_kind="rt_pcr", **kw)


@pytest.fixture
def records(diseases, person_factory, commune_a, commune_a2, commune_b):
    made = [
        make_case(person_factory, commune_a, "dengue", MONDAY),
        make_case(person_factory, commune_a, "dengue", MONDAY + dt.timedelta(days=6)),
        make_case(person_factory, commune_a, "measles", MONDAY + dt.timedelta(days=3), status="died", died_on=MONDAY + dt.timedelta(days=5)),
        make_case(person_factory, commune_b, "dengue", MONDAY + dt.timedelta(days=2)),
        # Outside the week: the Sunday before, the Monday after; and a death this week of a case confirmed earlier.
        make_case(person_factory, commune_a, "dengue", MONDAY - dt.timedelta(days=1)),
        make_case(person_factory, commune_a2, "measles", MONDAY + dt.timedelta(days=7)),
        make_case(person_factory, commune_a2, "dengue", MONDAY - dt.timedelta(days=20), status="died", died_on=MONDAY + dt.timedelta(days=1)),
    ]
    return made


def test_weekly_figures_equal_the_records_they_count(records, kontum, commune_a, commune_a2, commune_b):
    from cases.models import Case

    start, end = circular54.period_bounds("weekly", MONDAY + dt.timedelta(days=4))
    assert (start, end) == (MONDAY, MONDAY + dt.timedelta(days=6))
    data = circular54.build("weekly", kontum, start, end)
    rows = {r["unit_id"]: r["cells"] for r in data["rows"]}
    assert len(rows) == kontum_communes(kontum)  # every commune has its row, zero or not
    for row_unit, cells in rows.items():
        for code, cell in cells.items():
            assert cell["cases"] == Case.objects.filter(commune_id=row_unit, disease__code=code, confirmed_on__range=(start, end)).count()
            assert cell["deaths"] == Case.objects.filter(commune_id=row_unit, disease__code=code, died_on__range=(start, end)).count()
    assert rows[commune_a.pk]["dengue"] == {"cases": 2, "deaths": 0, "cases_ytd": 0, "deaths_ytd": 0}
    assert rows[commune_a.pk]["measles"]["deaths"] == 1 and rows[commune_a2.pk]["dengue"]["deaths"] == 1
    assert data["totals"]["dengue"]["cases"] == 3 and data["totals"]["measles"]["cases"] == 1
    assert {d["code"]: d["group"] for d in data["diseases"]}["dengue"] == "B"


def kontum_communes(kontum):
    from geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(path__startswith=kontum.path, level="commune", structure=kontum.structure).count()


def test_the_monthly_report_adds_the_year_to_date(records, kontum, commune_a):
    data = circular54.build("monthly", kontum, *circular54.period_bounds("monthly", MONDAY))
    cell = {r["unit_id"]: r["cells"] for r in data["rows"]}[commune_a.pk]["dengue"]
    # June: 02/06 and 08/06; year to date adds 01/06 (the Sunday before).
    assert (cell["cases"], cell["cases_ytd"]) == (3, 3)


def test_reports_are_archived_and_downloadable_again_as_pdf_and_xlsx(records, kontum, personas, client_for):
    from openpyxl import load_workbook

    report = services.generate_circular54(kind="weekly", unit=kontum, anchor=MONDAY, by=personas["health_dept"])
    assert report.pk and report.period_start == MONDAY and not report.submitted
    c = client_for(personas["health_dept"])
    pdf = c.get(reverse("reports:tt54_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = c.get(reverse("reports:tt54_download", args=[report.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    table = wb["Bang 1"]
    header = [cell.value for cell in table[2]]
    assert header[:2] == ["TT", "Đơn vị"] and "Sốt xuất huyết Dengue (A97) – M" in header
    total = [row for row in table.iter_rows(values_only=True) if row[1] == "Cộng"][0]
    assert total[header.index("Sốt xuất huyết Dengue (A97) – M")] == 3
    page = c.get(reverse("reports:tt54") + f"?loai=weekly&ngay={MONDAY:%d/%m/%Y}")
    assert page.status_code == 200 and reverse("reports:tt54_download", args=[report.pk, "pdf"]) in page.content.decode()
    # A commune's staff does not see the province's archive.
    assert client_for(personas["commune_b"]).get(reverse("reports:tt54_download", args=[report.pk, "pdf"])).status_code == 404


def test_units_are_on_time_late_or_missing_by_the_rule_base_deadline(diseases, kontum, commune_a, commune_a2, commune_b, personas, monkeypatch):
    start, end = MONDAY, MONDAY + dt.timedelta(days=6)
    due = end + dt.timedelta(days=2)  # weekly_due_days of the reporting rules (seed values)

    def send(unit, on):
        monkeypatch.setattr(timezone, "now", lambda: dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC))
        return services.generate_circular54(kind="weekly", unit=unit, anchor=start, by=personas["commune_a"], submit=True)

    send(commune_a, due)
    send(commune_a2, due + dt.timedelta(days=1))
    send(commune_a2, due + dt.timedelta(days=3))  # a second sending does not change the first's timeliness
    state = circular54.timeliness("weekly", kontum, start, end, now=dt.datetime.combine(due + dt.timedelta(days=5), dt.time(9), tzinfo=dt.UTC))
    status = {r["unit_id"]: r["status"] for r in state["rows"]}
    assert status[commune_a.pk] == "on_time" and status[commune_a2.pk] == "late" and status[commune_b.pk] == "missing"
    assert state["due"] == due.isoformat() and state["counts"]["on_time"] == 1 and state["counts"]["late"] == 1
    assert state["rows"][0]["status"] == "missing"  # late and missing units first, for the Department of Health
    assert state["due_sources"] and all("54/2015/TT-BYT" in s for s in state["due_sources"])
    before = circular54.timeliness("weekly", kontum, start, end, now=dt.datetime.combine(due, dt.time(9), tzinfo=dt.UTC))
    assert {r["unit_id"]: r["status"] for r in before["rows"]}[commune_b.pk] == "pending"


def test_case_reports_are_late_after_the_diseases_deadline(diseases, kontum, commune_a, person_factory):
    on_time = make_case(person_factory, commune_a, "dengue", MONDAY)
    late = make_case(person_factory, commune_a, "dengue", MONDAY)
    from cases.models import Case

    Case.objects.filter(pk=on_time.pk).update(created_at=dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC))
    Case.objects.filter(pk=late.pk).update(created_at=dt.datetime.combine(MONDAY + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC))
    state = circular54.timeliness("weekly", kontum, MONDAY, MONDAY + dt.timedelta(days=6))
    row = {r["unit_id"]: r for r in state["rows"]}[commune_a.pk]
    assert (row["cases_on_time"], row["cases_late"]) == (1, 1)


def test_a_commune_sends_only_a_finished_period_and_only_its_own_report(diseases, kontum, commune_a, personas):
    from core.errors import Invalid

    with pytest.raises(Invalid):
        services.generate_circular54(kind="weekly", unit=commune_a, anchor=timezone.localdate(), by=personas["commune_a"], submit=True)
    with pytest.raises(Invalid):
        services.generate_circular54(kind="weekly", unit=kontum, anchor=MONDAY, by=personas["commune_a"], submit=True)


def test_the_schedule_generates_the_provinces_reports(diseases, kontum):
    services.circular54_weekly_job()
    services.circular54_monthly_job()
    assert set(Circular54Report.objects.values_list("kind", flat=True)) == {"weekly", "monthly"}
    from core.jobs import SCHEDULE

    assert {"reports-tt54-weekly", "reports-tt54-monthly"} <= set(SCHEDULE)
