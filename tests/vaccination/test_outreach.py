"""Campaign progress and projection against the deadline; door-to-door lists: ordering, exclusions, refusals, exports."""
import datetime as dt
import io

import pytest

from geo.models import PopulationEstimate, Village
from vaccination import outreach, services
from vaccination.models import Campaign, Visit

D = dt.date
TODAY = D(2022, 2, 14)


def rec(person, product, kind, number, on):
    return services.record_injection(by=None, person=person, product=product, dose_kind=kind, dose_number=number,
                                     given_on=on, today=TODAY)


@pytest.fixture
def village(commune_a):
    return Village.objects.create(commune=commune_a, name="Thôn 1")


def test_it_projects_completion_at_the_recent_daily_rate_and_raises_a_red_flag(commune_a, person_factory, products):
    for band, n in (("18-49", 20),):
        PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band=band, population=n)
    people = [person_factory(commune_a, full_name=f"Người {i}", date_of_birth=D(1990, 1, 1 + i)) for i in range(4)]
    # 4 first doses over the 14 days up to 14/12/2021 → 4/14 per day
    for i, p in enumerate(people):
        rec(p, products["comirnaty"], "primary", 1, D(2021, 12, 1 + 3 * i))
    campaign = Campaign.objects.create(name="Mũi 1 cho 18+", target="dose1", age_min=18, target_pct=100, starts_on=D(2021, 7, 1),
                                       deadline=D(2021, 12, 31), unit=commune_a)
    prog = outreach.progress(campaign, D(2021, 12, 14))
    assert (prog.achieved, prog.target_count, prog.denominator, prog.percentage) == (4, 20, 20, 20.0)
    assert prog.daily_rate == round(4 / 14, 2)
    # 16 remaining at 4/14 a day → 56 days → 08/02/2022, after the deadline
    assert prog.projected_on == D(2022, 2, 8) and prog.red_flag
    assert outreach.missing_people(campaign, D(2021, 12, 14)).count() == 0  # only 4 people registered, all done
    # no progress in the last 14 days: no projection, red flag
    late = outreach.progress(campaign, D(2022, 1, 20))
    assert late.projected_on is None and late.red_flag
    done = Campaign.objects.create(name="5%", target="dose1", age_min=18, target_pct=5, starts_on=D(2021, 7, 1),
                                   deadline=D(2021, 12, 31), unit=commune_a)
    assert not outreach.progress(done, D(2021, 12, 14)).red_flag


def test_it_lists_who_is_still_missing(commune_a, person_factory, products):
    done = person_factory(commune_a, full_name="Đã Tiêm", date_of_birth=D(1980, 1, 1))
    missing = person_factory(commune_a, full_name="Chưa Tiêm", date_of_birth=D(1981, 1, 1))
    person_factory(commune_a, full_name="Trẻ Em", date_of_birth=D(2010, 1, 1))
    rec(done, products["moderna"], "primary", 1, D(2021, 10, 1))
    rec(done, products["moderna"], "primary", 2, D(2021, 10, 29))
    campaign = Campaign.objects.create(name="Mũi 2 cho 18+", target="full", age_min=18, target_pct=100, starts_on=D(2021, 7, 1),
                                       deadline=D(2021, 12, 31), unit=commune_a)
    assert list(outreach.missing_people(campaign, D(2021, 12, 31))) == [missing]


def test_it_orders_door_to_door_lists_by_risk_and_excludes_contraindicated_people(village, commune_a, person_factory, products, personas):
    def person(name, dob, **kw):
        return person_factory(commune_a, full_name=name, date_of_birth=dob, village=village, **kw)

    person("Trẻ Khỏe", D(1995, 1, 1))
    person("Cụ Già", D(1940, 1, 1))
    person("Năm Mươi", D(1968, 1, 1), comorbidities=["Tiểu đường"])
    person("Mang Thai", D(1996, 1, 1), sex="F", is_pregnant=True)
    contra = person("Chống Chỉ Định", D(1950, 1, 1))
    refused = person("Từ Chối", D(1990, 1, 1))
    boosted_due = person("Đến Hạn Nhắc", D(1985, 1, 1))
    rec(boosted_due, products["comirnaty"], "primary", 1, D(2021, 6, 15))
    rec(boosted_due, products["comirnaty"], "primary", 2, D(2021, 7, 6))
    outreach.record_visit(by=personas["vaccinator_a"], person=contra, outcome="contraindicated", reason="Phản vệ độ 3 mũi trước", visited_on=D(2022, 1, 5))
    outreach.record_visit(by=personas["vaccinator_a"], person=refused, outcome="refused", reason="Sợ tác dụng phụ", visited_on=D(2022, 1, 5))
    entries = outreach.door_to_door(village, TODAY, personas["vaccinator_a"])
    names = [e.person.full_name for e in entries]
    assert names[:3] == ["Cụ Già", "Năm Mươi", "Mang Thai"]
    assert "Chống Chỉ Định" not in names
    assert set(names[3:]) == {"Trẻ Khỏe", "Từ Chối", "Đến Hạn Nhắc"}
    by_name = {e.person.full_name: e for e in entries}
    assert by_name["Từ Chối"].refusal == "Sợ tác dụng phụ"
    assert by_name["Đến Hạn Nhắc"].state == "overdue"  # due 02/01/2022 (180 days), grace 30 days
    # the contraindication also turns a later dose into a warning for the vaccinator
    with pytest.raises(services.NeedsOverride):
        rec(contra, products["comirnaty"], "primary", 1, D(2022, 2, 1))
    assert not outreach.door_to_door(village, TODAY, personas["commune_b"])


def test_it_requires_a_reason_for_a_refusal_and_audits_the_outcome(village, commune_a, person_factory, personas):
    p = person_factory(commune_a, full_name="A", date_of_birth=D(1990, 1, 1), village=village)
    from core.errors import Invalid

    with pytest.raises(Invalid):
        outreach.record_visit(by=personas["vaccinator_a"], person=p, outcome="refused", reason=" ")
    v = outreach.record_visit(by=personas["vaccinator_a"], person=p, outcome="absent")
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="create", target_type="vaccination.visit", target_id=str(v.pk), person_id=p.pk).exists()


def test_it_prints_door_to_door_lists_as_pdf_and_xlsx_and_records_outcomes(client_for, personas, village, commune_a, person_factory):
    p = person_factory(commune_a, full_name="Nguyễn Thị Ánh", date_of_birth=D(1950, 1, 1), village=village)
    c = client_for(personas["vaccinator_a"])
    page = c.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022")
    assert page.status_code == 200 and "Nguyễn Thị Ánh" in page.content.decode()
    pdf = c.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022&dang=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from openpyxl import load_workbook

    xlsx = c.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022&dang=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.cell(3, 2).value == "Nguyễn Thị Ánh" and ws.cell(3, 5).value == "≥ 65 tuổi"
    r = c.post(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022", {"person": p.pk, "outcome": "moved", "reason": ""})
    assert r.status_code == 302 and Visit.objects.get(person=p).outcome == "moved"
    assert "Nguyễn Thị Ánh" not in c.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022").content.decode()
    assert client_for(personas["commune_b"]).get(f"/vaccination/di-tung-nha/{village.pk}/").status_code == 404


def test_it_shows_campaigns_with_their_red_flag(client_for, personas, commune_a, kontum):
    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band="18-49", population=10)
    c = client_for(personas["health_dept"])
    r = c.post("/vaccination/chi-tieu/", {"name": "Mũi 2 cho 18+", "target": "full", "age_min": 18, "target_pct": 100,
                                          "starts_on": "15/07/2021", "deadline": "31/12/2021", "unit": kontum.pk, "source": "004"})
    assert r.status_code == 302
    page = c.get("/vaccination/chi-tieu/?ngay=14/12/2021").content.decode()
    assert "Mũi 2 cho 18+" in page
    assert "Không kịp hạn" in page
    assert client_for(personas["leader"]).post("/vaccination/chi-tieu/", {}).status_code == 403


def test_it_lists_a_second_dose_only_once_the_schedule_interval_has_passed(village, commune_a, person_factory, products, personas):
    p = person_factory(commune_a, full_name="Hai Mũi", date_of_birth=D(1980, 1, 1), village=village)
    rec(p, products["astrazeneca"], "primary", 1, D(2021, 12, 1))  # recommended 56 days → due 26/01/2022
    assert p not in [e.person for e in outreach.door_to_door(village, D(2022, 1, 25), personas["commune_a"])]
    due = outreach.door_to_door(village, D(2022, 1, 26), personas["commune_a"])
    assert [(e.person, e.state, e.next_label) for e in due] == [(p, "due", "Mũi cơ bản 2")]
    assert outreach.door_to_door(village, D(2022, 2, 26), personas["commune_a"])[0].state == "overdue"


def test_a_long_door_to_door_list_comes_50_to_a_page_and_keeps_the_day(client_for, personas, village, commune_a, person_factory):
    for _ in range(60):
        person_factory(commune_a, village=village)
    client = client_for(personas["vaccinator_a"])
    first = client.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022").content.decode()
    assert first.count('name="person"') == 50 and "60 người cần đến" in first
    assert "?ngay=14/02/2022&amp;page=2" in first or "?ngay=14/02/2022&page=2" in first
    second = client.get(f"/vaccination/di-tung-nha/{village.pk}/?ngay=14/02/2022&page=2").content.decode()
    assert second.count('name="person"') == 10 and "<td>51</td>" in second
