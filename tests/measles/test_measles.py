"""Measles end to end, from the pack's data: suspected case → confirmed by IgM, classification refusals, the
import, contacts and their vaccination status, and a catch-up campaign with its targets and door-to-door list."""
import datetime as dt

import pytest

from cases import services
from core.errors import Invalid
from tests.conftest import make_person

D = dt.date
RASH = ["fever", "maculopapular_rash", "cough"]


def test_a_suspected_case_is_confirmed_by_igm(personas, commune_a):
    child = make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019)
    case = services.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D(2025, 3, 3),
                              test_kind="", classification="suspected", clinical_signs=RASH,
                              investigation={"rash_onset": "01/03/2025", "doses_before_onset": 0})
    assert (case.disease.code, case.classification, case.release_due_on) == ("measles", "suspected", D(2025, 3, 7))
    services.classify_case(case, by=personas["commune_a"], classification="confirmed", test_kind="igm")
    case.refresh_from_db()
    assert (case.classification, case.test_kind, case.version) == ("confirmed", "igm", 2)
    assert case.events.filter(kind="classified").exists()


def test_a_suspected_case_needs_the_clinical_picture(personas, commune_a):
    child = make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019)
    with pytest.raises(Invalid) as refused:
        services.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D(2025, 3, 3),
                           test_kind="", classification="suspected", clinical_signs=["fever", "maculopapular_rash"])
    assert "ít nhất 1 trong: Ho, Sổ mũi, Viêm kết mạc" in refused.value.vi
    assert "Định nghĩa ca bệnh sởi chuẩn của WHO" in refused.value.vi


def test_confirmed_without_a_confirming_test_or_link_is_refused_with_the_rule(personas, commune_a):
    child = make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019)
    with pytest.raises(Invalid) as refused:
        services.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D(2025, 3, 3),
                           test_kind="", classification="confirmed", clinical_signs=RASH)
    assert refused.value.en.startswith("A confirmed case needs a positive confirming test (IgM antibody, PCR, RT-PCR or an epidemiological link")
    assert "(kháng thể IgM, PCR, RT-PCR hoặc liên quan dịch tễ với ca xác định)" in refused.value.vi
    with pytest.raises(Invalid):  # a COVID-19 rapid test does not confirm measles
        services.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D(2025, 3, 3),
                           test_kind="rapid_antigen", classification="confirmed", clinical_signs=RASH)
    case = services.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D(2025, 3, 3),
                              test_kind="", classification="confirmed", epi_link=True, clinical_signs=RASH)
    assert case.classification == "confirmed" and case.epi_link


def test_covid19_keeps_working_as_before(personas, commune_a):
    person = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    case = services.open_case(by=personas["commune_a"], person=person, confirmed_on=D(2022, 2, 5), test_kind="rapid_antigen")
    assert (case.disease.code, case.classification) == ("covid19", "confirmed")
    with pytest.raises(Invalid):  # COVID-19 has no "probable" class
        services.classify_case(case, by=personas["commune_a"], classification="probable")


def _import(personas, text):
    from cases.imports import CaseLineListImporter

    return CaseLineListImporter(by=personas["commune_a"], mode="all").run(text.encode("utf-8"), "ds.csv")


HEADER = "Họ và tên,Năm sinh,Giới tính,Mã xã,Ngày xác định,Loại xét nghiệm,Bệnh,Phân loại,Liên quan dịch tễ,Dấu hiệu lâm sàng\n"


def test_the_import_refuses_a_day_no_rule_covers_and_a_contradicting_class_as_row_errors(personas, commune_a):
    text = HEADER + (f"Trần Văn Một,1990,Nam,{commune_a.code},15/01/2020,RT-PCR,,,,\n"
                     f"Trần Văn Hai,2018,Nam,{commune_a.code},03/03/2025,,Sởi,Xác định,,\n"
                     f"Trần Văn Ba,2018,Nam,{commune_a.code},03/03/2025,,Sởi,Nghi ngờ,,Sốt; Phát ban dát sẩn; Ho\n"
                     f"Trần Văn Tư,2018,Nam,{commune_a.code},03/03/2025,,Sởi,Nghi ngờ,,Sốt\n")
    result = _import(personas, text)
    errors = {e.line: (e.column, e.message_en) for e in result.errors}
    assert errors[2] == ("Ngày xác định", "No release rule for COVID-19 on 15/01/2020: add a version that covers this date")
    assert errors[3][0] == "Loại xét nghiệm" and "confirmed case needs a positive confirming test" in errors[3][1]
    assert errors[5][0] == "Dấu hiệu lâm sàng" or "at least 1 of: Cough, Coryza, Conjunctivitis" in errors[5][1]
    assert 4 not in errors and not result.saved  # mode "all": nothing imported while any row is bad


def test_the_import_takes_measles_rows(personas, commune_a):
    from cases.models import Case

    text = HEADER + (f"Trần Văn Hai,2018,Nam,{commune_a.code},03/03/2025,IgM,Sởi,Xác định,,\n"
                     f"Trần Văn Ba,2019,Nam,{commune_a.code},04/03/2025,,measles,Xác định,có,\n"
                     f"Trần Văn Bốn,1985,Nam,{commune_a.code},02/08/2021,RT-PCR,,,,\n")
    result = _import(personas, text)
    assert result.errors == [] and result.imported == 3
    rows = dict(Case.objects.values_list("person__full_name", "disease__code"))
    assert rows == {"Trần Văn Hai": "measles", "Trần Văn Ba": "measles", "Trần Văn Bốn": "covid19"}
    # An F0 of 02/08/2021 (before home care, 4038/QĐ-BYT) is judged under the hospital-only rules of the time.
    case = Case.objects.get(person__full_name="Trần Văn Bốn")
    assert not services.home_care_assessment(case)["eligible"]


def test_contacts_of_a_measles_case_follow_its_rule_and_show_their_vaccination_status(personas, commune_a, measles):
    from contacts import services as contacts
    from vaccination.models import Product
    from vaccination.services import record_routine_dose

    case = services.open_case(by=personas["commune_a"], person=make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019),
                              disease="measles", confirmed_on=D(2025, 3, 3), test_kind="igm", clinical_signs=RASH)
    sibling = make_person(commune_a, full_name="Lê Minh Anh", date_of_birth=D(2017, 5, 1))
    for n, on in ((1, D(2018, 2, 1)), (2, D(2018, 11, 1))):
        record_routine_dose(by=None, person=sibling, product=Product.objects.get(code="mr"), given_on=on, dose_number=n)
    cousin = make_person(commune_a, full_name="Lê Văn Tí", date_of_birth=D(2020, 1, 1))
    c1 = contacts.add_contact(by=personas["commune_a"], person=sibling, source_case=case, last_exposure_on=D(2025, 3, 2))
    c2 = contacts.add_contact(by=personas["commune_a"], person=cousin, source_case=case, last_exposure_on=D(2025, 3, 2))
    assert c1.disease == measles and c1.follow_up_end == D(2025, 3, 23)  # 21 days of monitoring, no quarantine
    assert c1.quarantine_days == 0
    assert (c1.fully_vaccinated, c2.fully_vaccinated) == (True, False)


# --- catch-up campaign ----------------------------------------------------------------------------------------------
@pytest.fixture
def village(commune_a):
    from geo.models import Village

    return Village.objects.create(commune=commune_a, name="Thôn Kon Klor")


def test_catch_up_targets_are_children_of_the_age_range_without_two_doses(personas, commune_a, commune_b, village, measles):
    from vaccination import outreach
    from vaccination.models import Product
    from vaccination.services import record_routine_dose

    on = D(2025, 3, 20)
    mr = Product.objects.get(code="mr")
    kids = {
        "none": make_person(commune_a, full_name="Bé Không Mũi", date_of_birth=D(2020, 6, 1), village=village),
        "one": make_person(commune_a, full_name="Bé Một Mũi", date_of_birth=D(2016, 6, 1), village=village),
        "two": make_person(commune_a, full_name="Bé Hai Mũi", date_of_birth=D(2018, 6, 1), village=village),
        "baby": make_person(commune_a, full_name="Bé Tám Tháng", date_of_birth=D(2024, 7, 1), village=village),
        "eleven": make_person(commune_a, full_name="Anh Mười Một", date_of_birth=D(2013, 6, 1), village=village),
        "ten": make_person(commune_a, full_name="Anh Mười Tuổi", date_of_birth=D(2014, 6, 1), village=village),
        "other_commune": make_person(commune_b, full_name="Bé Xã Khác", date_of_birth=D(2020, 6, 1)),
        "late_dose": make_person(commune_a, full_name="Bé Tiêm Muộn", date_of_birth=D(2019, 6, 1), village=village),
    }
    record_routine_dose(by=None, person=kids["one"], product=mr, given_on=D(2017, 3, 1))
    record_routine_dose(by=None, person=kids["two"], product=mr, given_on=D(2019, 3, 1))
    record_routine_dose(by=None, person=kids["two"], product=mr, given_on=D(2019, 12, 1))
    record_routine_dose(by=None, person=kids["late_dose"], product=mr, given_on=D(2020, 3, 1))
    record_routine_dose(by=None, person=kids["late_dose"], product=mr, given_on=D(2025, 3, 25))  # after the day asked
    # 2025 (23/CĐ-TTg): the policy gives 6 months – 10 years and 2 doses; the officer narrows it to 1–10 years.
    campaign = outreach.create_campaign(by=personas["commune_a"], data={
        "name": "Tiêm bù sởi 2025", "target": "catch_up", "disease": "measles", "age_min_months": 12, "age_below": None,
        "age_min": None, "target_pct": 95, "starts_on": D(2025, 3, 15), "deadline": D(2025, 3, 31), "unit": commune_a})
    assert (campaign.age_min_months, campaign.age_below, campaign.target_doses, campaign.source) == (12, 11, 2, "23/CĐ-TTg ngày 15/03/2025")
    targets = outreach.catch_up_targets(campaign, on)
    assert sorted(p.full_name for p in targets) == sorted(["Bé Không Mũi", "Bé Một Mũi", "Anh Mười Tuổi", "Bé Tiêm Muộn"])
    assert {p.full_name: p.doses for p in targets}["Bé Một Mũi"] == 1
    progress = outreach.progress(campaign, on)
    assert (progress.denominator, progress.achieved, progress.target_count) == (5, 1, 5)


def test_catch_up_targets_are_one_query(personas, commune_a, village, measles, django_assert_max_num_queries):
    from vaccination import outreach
    from vaccination.models import Campaign

    for i in range(30):
        make_person(commune_a, full_name=f"Bé {i}", date_of_birth=D(2018, 1, 1 + i), village=village)
    campaign = Campaign.objects.create(name="c", target="catch_up", disease=measles, age_min=1, age_min_months=12, age_below=11,
                                       target_doses=2, starts_on=D(2025, 3, 15), deadline=D(2025, 3, 31), unit=commune_a)
    ids = [commune_a.pk]
    with django_assert_max_num_queries(1):
        assert len(list(outreach.catch_up_targets(campaign, D(2025, 3, 20), commune_ids=ids))) == 30


def test_a_catch_up_campaign_before_any_policy_is_refused_naming_the_rule(personas, commune_a):
    from vaccination import outreach

    with pytest.raises(Invalid) as refused:
        outreach.create_campaign(by=personas["commune_a"], data={
            "name": "Tiêm bù sởi 2023", "target": "catch_up", "disease": "measles", "age_min": None, "target_pct": 95,
            "starts_on": D(2023, 3, 15), "deadline": D(2023, 3, 31), "unit": commune_a})
    assert refused.value.en == "No vaccination policy rule for Measles on 15/03/2023: add a version that covers this date"


def test_the_door_to_door_list_of_a_catch_up_campaign(personas, commune_a, village, measles):
    from vaccination import outreach
    from vaccination.models import Campaign, Product, Visit
    from vaccination.services import record_routine_dose

    on = D(2025, 3, 20)
    mr = Product.objects.get(code="mr")
    none = make_person(commune_a, full_name="Bé Không Mũi", date_of_birth=D(2020, 6, 1), village=village)
    one = make_person(commune_a, full_name="Bé Một Mũi", date_of_birth=D(2016, 6, 1), village=village)
    refused = make_person(commune_a, full_name="Bé Từ Chối", date_of_birth=D(2019, 6, 1), village=village)
    moved = make_person(commune_a, full_name="Bé Chuyển Đi", date_of_birth=D(2019, 6, 1), village=village)
    record_routine_dose(by=None, person=one, product=mr, given_on=D(2017, 3, 1))
    outreach.record_visit(by=None, person=refused, outcome=Visit.Outcome.REFUSED, reason="Gia đình chưa đồng ý", visited_on=on)
    outreach.record_visit(by=None, person=moved, outcome=Visit.Outcome.MOVED, visited_on=on)
    campaign = Campaign.objects.create(name="c", target="catch_up", disease=measles, age_min=1, age_min_months=12, age_below=11,
                                       target_doses=2, starts_on=D(2025, 3, 15), deadline=D(2025, 3, 31), unit=commune_a)
    entries = outreach.catch_up_door_to_door(campaign, village, on, personas["commune_a"])
    assert [(e.person.full_name, e.state, e.next_label, e.refusal) for e in entries] == [
        ("Bé Không Mũi", "unvaccinated", "Mũi 1 vắc xin phòng sởi", None),
        ("Bé Từ Chối", "unvaccinated", "Mũi 1 vắc xin phòng sởi", "Gia đình chưa đồng ý"),
        ("Bé Một Mũi", "due", "Mũi 2 vắc xin phòng sởi", None),
    ]
    assert none.pk == entries[0].person.pk
    xlsx = outreach.door_to_door_xlsx(village, entries, on)
    assert xlsx[:2] == b"PK"
