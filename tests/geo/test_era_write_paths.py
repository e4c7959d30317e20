"""A record keeps the unit of its time (geo.eras, docs/geo.md "Which date decides the era"): on every write path that
puts a dated record on a unit — services behind the forms, the REST API, imports, the field app's sync — a record
dated before 01/07/2025 is refused on a 2025 unit, and (on an installation on the 2025 structure) one dated from
01/07/2025 on a dissolved pre-2025 unit, with the same words in Vietnamese and English; imports name the line and
store nothing."""
import datetime as dt

import pytest

from core.errors import Invalid
from geo.models import AdministrativeUnit, UnitCorrespondence
from tests.conftest import make_person, make_user

pytestmark = pytest.mark.django_db

OLD_DAY = dt.date(2022, 2, 5)  # before the reorganisation: pre-2025 units
NEW_DAY = dt.date(2025, 9, 1)  # after it: 2025 units


@pytest.fixture
def new_commune(commune_b):
    """The 2025 commune that took commune_b over (one-to-one)."""
    return UnitCorrespondence.objects.get(old_unit=commune_b).new_unit


@pytest.fixture
def split_a(kontum, commune_a):
    """commune_a (Phường Quang Trung, merged into Phường Kon Tum) made a split commune: part of it went to Xã Ba Tơ."""
    ba_to = AdministrativeUnit.objects.get(structure="2025", level="commune", code="21484")
    UnitCorrespondence.objects.create(old_unit=commune_a, new_unit=ba_to, is_default=False)
    return commune_a


@pytest.fixture
def province_2025(new_commune):
    return new_commune.parent


@pytest.fixture
def officer(province_2025):
    """A Department of Health officer of today's province: sees its 2025 communes and the pre-2025 ones inside."""
    return make_user("so_y_te_moi", "health_dept", province_2025)


def refused_before(exc, day=OLD_DAY):
    """The words of geo.eras for a record dated before 01/07/2025 on a 2025 unit."""
    vi, en = exc.vi if hasattr(exc, "vi") else exc["message_vi"], exc.en if hasattr(exc, "en") else exc["message_en"]
    return (f"{day:%d/%m/%Y}" in vi and "trước 01/07/2025" in vi and "chuyển địa bàn" in vi
            and "before 01/07/2025" in en and "re-homing" in en)


def refused_after(exc, day=NEW_DAY):
    """The words of geo.eras for a record dated from 01/07/2025 on a dissolved pre-2025 unit."""
    vi, en = exc.vi if hasattr(exc, "vi") else exc["message_vi"], exc.en if hasattr(exc, "en") else exc["message_en"]
    return f"{day:%d/%m/%Y}" in vi and "giải thể" in vi and "dissolved" in en and "re-homing" in en


# --- services (behind the forms and the API) ------------------------------------------------------------------------
def _pool(by, unit, day):
    from testing.models import Pool
    from testing.services import create_pool

    return create_pool(by=by, code=f"G-{Pool.objects.count() + 1}", size=10, commune=unit, taken_on=day)


def _outbreak(by, unit, day):
    from contacts.services import create_outbreak

    return create_outbreak(by=by, name="Ổ dịch thôn 1", commune=unit, started_on=day)


def _screening(by, unit, day):
    from testing.campaigns import create_campaign

    return create_campaign(by=by, name="Sàng lọc", unit=unit, deadline=day, within_days=7, accepted_kinds=["rapid_antigen"])


def _vaccination_campaign(by, unit, day):
    from vaccination.outreach import create_campaign

    return create_campaign(by=by, data={"name": "Mũi 1", "target": "dose1", "age_min": 18, "starts_on": day,
                                        "deadline": day + dt.timedelta(days=60), "unit": unit})


UNIT_RECORDS = {"pool": _pool, "outbreak": _outbreak, "screening campaign": _screening,
                "vaccination campaign": _vaccination_campaign}


@pytest.mark.parametrize("kind", UNIT_RECORDS)
def test_a_dated_record_goes_on_the_units_of_its_date_only(kind, personas, commune_b, new_commune, province_2025, kontum,
                                                            settings):
    settings.PHONGDICH_STRUCTURE = "2025"
    make = UNIT_RECORDS[kind]
    by = personas["admin"]
    old_unit, new_unit = (kontum, province_2025) if "campaign" in kind else (commune_b, new_commune)
    with pytest.raises(Invalid) as before:
        make(by, new_unit, OLD_DAY)
    assert refused_before(before.value) and new_unit.name in before.value.vi
    with pytest.raises(Invalid) as after:
        make(by, old_unit, NEW_DAY)
    assert refused_after(after.value) and old_unit.name in after.value.en
    assert make(by, old_unit, OLD_DAY).pk and make(by, new_unit, NEW_DAY).pk  # each era on its own units


def test_an_installation_still_on_the_old_structure_records_on_its_old_units(personas, commune_b, new_commune, old_structure):
    assert _outbreak(personas["admin"], commune_b, NEW_DAY).pk
    with pytest.raises(Invalid):  # a 2025 unit never takes a record of 2022
        _outbreak(personas["admin"], new_commune, OLD_DAY)


def test_doses_and_visits_lie_on_the_persons_commune_of_their_date(personas, commune_b, new_commune):
    from vaccination import services
    from vaccination.models import Injection, Visit
    from vaccination.outreach import record_visit
    from vaccination.selectors import product_by_code

    by, pfizer = personas["admin"], product_by_code("comirnaty")
    # Not re-homed yet, on a commune that became one 2025 commune: today's dose and visit go on that commune (the
    # rule re-homing applies one-to-one); the person stays for the re-homing run.
    still_old = make_person(commune_b, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10))
    dose = services.record_injection(by=by, person=still_old, product=pfizer, dose_kind="primary", dose_number=1,
                                     given_on=NEW_DAY)
    assert dose.commune_id == new_commune.pk
    assert record_visit(by=by, person=still_old, outcome="absent", visited_on=NEW_DAY).commune_id == new_commune.pk
    still_old.refresh_from_db()
    assert still_old.commune_id == commune_b.pk and still_old.former_commune_id is None
    # Registered since on a 2025 commune made of two former communes: which one his dose of 2021 lies on is unknown.
    registered_since = make_person(new_commune, full_name="Lê Thị Hoa", date_of_birth=dt.date(1970, 5, 10))
    with pytest.raises(Invalid) as old_dose:
        services.record_injection(by=by, person=registered_since, product=pfizer, dose_kind="primary", dose_number=1,
                                  given_on=dt.date(2021, 9, 1))
    assert refused_before(old_dose.value, dt.date(2021, 9, 1))
    assert commune_b.name in old_dose.value.vi and "Xã Đăk Pék" in old_dose.value.en
    assert "former commune must be set" in old_dose.value.en and "Former commune (before 01/07/2025)" in old_dose.value.en
    assert not Injection.objects.filter(person=registered_since).exists()
    # Re-homed: his 2021 dose lies on his former commune, his visit of today on the new one.
    rehomed = make_person(new_commune, full_name="Phạm Văn Cường", date_of_birth=dt.date(1970, 5, 10), former_commune=commune_b)
    inj = services.record_injection(by=by, person=rehomed, product=pfizer, dose_kind="primary", dose_number=1,
                                    given_on=dt.date(2021, 9, 1))
    assert inj.commune_id == commune_b.pk
    assert record_visit(by=by, person=rehomed, outcome="absent", visited_on=NEW_DAY).commune_id == new_commune.pk
    assert Visit.objects.count() == 2


def test_a_vaccinator_of_today_records_a_dose_for_someone_not_yet_re_homed(api_for, commune_a, commune_b, new_commune,
                                                                            settings):
    """A vaccinator of a 2025 commune, on a 2025 installation, cannot re-home (a province-wide task): today's dose of a
    person of a former commune that became his commune goes on it; a person of a split commune waits for re-homing."""
    from vaccination.models import Injection
    from vaccination.selectors import product_by_code

    settings.PHONGDICH_STRUCTURE = "2025"
    vaccinator = make_user("tiem_dak_pek", "vaccinator", new_commune)
    pfizer = product_by_code("comirnaty")
    today = dt.date.today()
    person = make_person(commune_b, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10))
    r = api_for(vaccinator).post("/api/vaccination/injections/", {
        "person": person.pk, "product": pfizer.pk, "dose_kind": "primary", "dose_number": 1,
        "given_on": today.isoformat()}, format="json")
    assert r.status_code == 201, r.content
    assert Injection.objects.get(person=person).commune_id == new_commune.pk
    person.refresh_from_db()
    assert person.commune_id == commune_b.pk  # left for the re-homing run


def test_a_dose_of_today_for_someone_on_a_split_commune_waits_for_re_homing(personas, split_a):
    from vaccination import services
    from vaccination.models import Injection
    from vaccination.selectors import product_by_code

    person = make_person(split_a, full_name="Y Blông", date_of_birth=dt.date(1985, 4, 2))
    with pytest.raises(Invalid) as exc:
        services.record_injection(by=personas["admin"], person=person, product=product_by_code("comirnaty"),
                                  dose_kind="primary", dose_number=1, given_on=NEW_DAY)
    assert refused_after(exc.value) and exc.value.field == "given_on"
    assert "Phường Kon Tum" in exc.value.vi and "Xã Ba Tơ" in exc.value.en and "split" in exc.value.en
    assert "re-home the person first" in exc.value.en and "Chuyển địa bàn" in exc.value.vi
    assert not Injection.objects.exists()


def test_an_old_dose_of_a_newcomer_goes_on_the_only_former_commune(personas, kontum):
    from vaccination import services
    from vaccination.selectors import product_by_code

    dak_long = AdministrativeUnit.objects.get(path="/n51/n23368/")  # made of one former commune: Xã Đăk Long (62)
    newcomer = make_person(dak_long, full_name="Lê Thị Hoa", date_of_birth=dt.date(1970, 5, 10))
    dose = services.record_injection(by=personas["admin"], person=newcomer, product=product_by_code("comirnaty"),
                                     dose_kind="primary", dose_number=1, given_on=dt.date(2021, 9, 1))
    assert dose.commune.path == "/62/610/23368/"


def test_a_routine_dose_lies_on_the_childs_commune_of_its_date(commune_b, new_commune):
    from diseases.packs import install_missing, load, shipped_pack
    from vaccination.models import Product, RoutineDose
    from vaccination.services import record_routine_dose

    install_missing("covid19")
    load(shipped_pack("measles"), "measles.yaml")
    mr = Product.objects.get(code="mr")
    child = make_person(new_commune, full_name="Lê Bảo Anh", date_of_birth=dt.date(2019, 3, 1), former_commune=commune_b)
    assert record_routine_dose(by=None, person=child, product=mr, given_on=dt.date(2020, 3, 1)).commune_id == commune_b.pk
    assert record_routine_dose(by=None, person=child, product=mr, given_on=NEW_DAY).commune_id == new_commune.pk
    not_moved = make_person(commune_b, full_name="Lê Bảo Châu", date_of_birth=dt.date(2019, 3, 1))
    assert record_routine_dose(by=None, person=not_moved, product=mr, given_on=NEW_DAY).commune_id == new_commune.pk
    newcomer = make_person(new_commune, full_name="Lê Bảo Duy", date_of_birth=dt.date(2019, 3, 1))
    with pytest.raises(Invalid) as exc:  # two former communes: which one is unknown
        record_routine_dose(by=None, person=newcomer, product=mr, given_on=dt.date(2020, 3, 1))
    assert refused_before(exc.value, dt.date(2020, 3, 1)) and RoutineDose.objects.filter(person=newcomer).count() == 0


def test_level_criteria_are_entered_on_the_units_of_their_week(personas, commune_b, new_commune):
    from levels.models import CriteriaEntry
    from levels.services import enter_values

    with pytest.raises(Invalid) as exc:
        enter_values(by=personas["admin"], unit=new_commune, week_start=dt.date(2022, 2, 7), values={})
    assert "07/02/2022" in exc.value.vi and "before 01/07/2025" in exc.value.en
    with pytest.raises(Invalid):
        enter_values(by=personas["admin"], unit=commune_b, week_start=dt.date(2025, 9, 1), values={})
    assert not CriteriaEntry.objects.exists()


def test_levels_follow_the_installations_structure(personas, commune_b, new_commune, old_structure):
    """The level check is geo.eras' rule: an installation still on the old structure keeps its old communes for
    weeks from 01/07/2025; a 2025 unit never takes a week before it."""
    from levels.services import enter_values

    assert enter_values(by=personas["admin"], unit=commune_b, week_start=dt.date(2025, 9, 1), values={}) is not None
    with pytest.raises(Invalid) as exc:
        enter_values(by=personas["admin"], unit=new_commune, week_start=dt.date(2022, 2, 7), values={})
    assert exc.value.field == "unit" and "before 01/07/2025" in exc.value.en


def test_a_person_changes_structure_only_by_re_homing(personas, commune_a, commune_b, new_commune):
    from people.services import update_person

    p = make_person(commune_b)
    with pytest.raises(Invalid) as exc:
        update_person(by=personas["admin"], person=p, data={"commune": new_commune}, expected_version=p.version)
    assert exc.value.field == "commune" and "chuyển địa bàn" in exc.value.vi and "re-homing flow" in exc.value.en
    p.refresh_from_db()
    assert p.commune_id == commune_b.pk
    update_person(by=personas["admin"], person=p, data={"commune": commune_a}, expected_version=p.version)  # same era
    moved = make_person(new_commune, full_name="Lê Thị Hoa")
    with pytest.raises(Invalid) as back:
        update_person(by=personas["admin"], person=moved, data={"commune": commune_b}, expected_version=moved.version)
    assert "giải thể" in back.value.vi and "dissolved" in back.value.en


# --- REST API ---------------------------------------------------------------------------------------------------------
def test_the_api_answers_the_same_refusal(api_for, officer, commune_b, new_commune, province_2025, split_a):
    from contacts.models import Outbreak
    from testing.models import Campaign, Pool

    api = api_for(officer)
    answers = {
        "pool": api.post("/api/pools/", {"code": "G-1", "size": 10, "commune": new_commune.pk, "taken_on": "2022-02-05"},
                         format="json"),
        "outbreak": api.post("/api/outbreaks/", {"name": "Ổ dịch", "commune": commune_b.pk, "started_on": "2025-09-01"},
                             format="json"),
        "screening": api.post("/api/screening-campaigns/", {"name": "Sàng lọc", "unit": province_2025.pk, "deadline": "2022-02-05",
                                                            "within_days": 7, "accepted_kinds": ["rapid_antigen"]}, format="json"),
    }
    from vaccination.selectors import product_by_code

    still_old = make_person(split_a, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10))
    answers["vaccination campaign"] = api.post("/api/vaccination/campaigns/", {
        "name": "Mũi 1", "target": "dose1", "age_min": 18, "starts_on": "05/02/2022", "deadline": "05/04/2022",
        "unit": province_2025.pk, "target_pct": 90}, format="json")
    answers["dose"] = api.post("/api/vaccination/injections/", {
        "person": still_old.pk, "product": product_by_code("comirnaty").pk, "dose_kind": "primary", "dose_number": 1,
        "given_on": "2025-09-01"}, format="json")
    for what, r in answers.items():
        assert r.status_code == 400, (what, r.content)
        body = r.json()
        assert "01/07/2025" in body["message_vi"] and "01/07/2025" in body["message_en"], what
        assert "re-homing" in body["message_en"] and "chuyển địa bàn" in body["message_vi"], what
    from vaccination.models import Campaign as VaccinationCampaign
    from vaccination.models import Injection

    assert not Pool.objects.exists() and not Outbreak.objects.exists() and not Campaign.objects.exists()
    assert not VaccinationCampaign.objects.exists() and not Injection.objects.exists()


def test_the_field_app_gets_the_refusal_back(api_for, personas, split_a, settings):
    from vaccination.models import Injection

    settings.PHONGDICH_STRUCTURE = "2025"
    person = make_person(split_a, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10))
    r = api_for(personas["vaccinator_a"]).post("/api/field/upload/", {"entries": [
        {"kind": "dose", "key": "d-1", "person": person.pk, "product": "comirnaty", "dose_kind": "primary", "dose_number": 1,
         "given_on": NEW_DAY.isoformat()},
        {"kind": "door_visit", "key": "v-1", "person": person.pk, "outcome": "absent", "day": NEW_DAY.isoformat()},
    ]}, format="json")
    assert r.status_code == 200, r.content
    answers = r.json()["answers"]
    assert [a["status"] for a in answers] == ["refused", "refused"], answers
    for a in answers:
        assert "giải thể" in a["message_vi"] and "dissolved" in a["message_en"] and "re-homing" in a["message_en"]
    assert not Injection.objects.exists()


# --- imports ----------------------------------------------------------------------------------------------------------
def test_a_dose_import_refuses_the_wrong_era_by_line_and_stores_nothing(commune_b, new_commune, split_a):
    from geo.importers import Operator
    from vaccination.bulk import DoseImporter
    from vaccination.models import Injection

    dak_long = AdministrativeUnit.objects.get(path="/n51/n23368/")  # made of one former commune
    not_moved = make_person(commune_b, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10), id_number="062070000001")
    make_person(new_commune, full_name="Lê Thị Hoa", date_of_birth=dt.date(1970, 5, 10), id_number="051170000002")
    rehomed = make_person(new_commune, full_name="Phạm Văn Cường", date_of_birth=dt.date(1970, 5, 10),
                          id_number="062070000003", former_commune=commune_b)
    make_person(split_a, full_name="Y Blông", date_of_birth=dt.date(1970, 5, 10), id_number="062170000004")
    newcomer = make_person(dak_long, full_name="Hồ Thị Em", date_of_birth=dt.date(1970, 5, 10), id_number="051170000005")
    header = "Số CCCD/CMND,Họ và tên,Ngày sinh,Tên vắc xin,Loại mũi,Mũi số,Ngày tiêm\n"
    good = ("062070000003,Phạm Văn Cường,10/05/1970,Pfizer,Cơ bản,1,01/09/2021\n"
            "062070000001,Trần Văn Bình,10/05/1970,Pfizer,Cơ bản,1,01/09/2025\n"
            "051170000005,Hồ Thị Em,10/05/1970,Pfizer,Cơ bản,1,01/09/2021\n")
    bad = ("051170000002,Lê Thị Hoa,10/05/1970,Pfizer,Cơ bản,1,01/09/2021\n"
           "062170000004,Y Blông,10/05/1970,Pfizer,Cơ bản,1,01/09/2025\n")
    result = DoseImporter(by=Operator(), today=dt.date(2026, 1, 5)).run((header + good + bad).encode(), "doses.csv")
    assert not result.saved
    era = {e["line"]: e for e in result.errors if e["code"] == "era"}
    assert set(era) == {5, 6}, result.errors
    assert refused_before(era[5], dt.date(2021, 9, 1)) and new_commune.name in era[5]["message_vi"]
    assert commune_b.name in era[5]["message_en"] and "former commune must be set" in era[5]["message_en"]
    assert refused_after(era[6]) and era[6]["column"] == "Ngày tiêm" and "Xã Ba Tơ" in era[6]["message_en"]
    assert not Injection.objects.exists()
    # Without the bad rows: the re-homed person's 2021 dose lies on his former commune, the 2025 dose of someone not
    # re-homed yet on the one 2025 commune his commune became, a newcomer's 2021 dose on the only former commune.
    ok = DoseImporter(by=Operator(), today=dt.date(2026, 1, 5)).run((header + good).encode(), "d.csv")
    assert ok.saved, ok.errors
    assert Injection.objects.get(person=rehomed).commune_id == commune_b.pk
    assert Injection.objects.get(person=not_moved).commune_id == new_commune.pk
    assert Injection.objects.get(person=newcomer).commune.path == "/62/610/23368/"


def test_a_population_year_after_the_reorganisation_is_refused_on_a_dissolved_commune(commune_b, new_commune):
    from geo.importers import Operator, PopulationImporter
    from geo.models import PopulationEstimate

    text = ("mã xã,năm,giới tính,nhóm tuổi,dân số\n"
            f"{commune_b.code},2024,Nam,18-49,100\n"
            f"{commune_b.code},2026,Nam,18-49,100\n")
    result = PopulationImporter(by=Operator()).run(text.encode(), "dan-so.csv")
    assert not result.saved and not PopulationEstimate.objects.exists()
    [err] = result.errors
    assert err.line == 3 and "2026" in err.message_vi and "dissolved" in err.message_en
    # A 2025 commune may carry an earlier year (the reorganisation's plans restate the population of 2024).
    code = new_commune.code
    again = PopulationImporter(by=Operator()).run(f"mã xã,năm,giới tính,nhóm tuổi,dân số\n{code},2024,Nam,18-49,100\n".encode(),
                                                  "dan-so.csv")
    assert again.saved, again.errors


# --- identity numbers -------------------------------------------------------------------------------------------------
def test_cccd_province_codes_of_both_structures(commune_b):
    from people.rules import check_cccd

    assert check_cccd("062080001234", sex="M", birth_year=1980)  # Kon Tum, issued before 2025: keeps 062 for life
    assert check_cccd("051180001234", sex="F", birth_year=1980)  # Quảng Ngãi (2025, with the former Kon Tum)
    with pytest.raises(Invalid) as exc:
        check_cccd("099080001234")  # a code of neither structure
    assert "099" in exc.value.vi and "trước 01/07/2025" in exc.value.vi and "34 tỉnh" in exc.value.vi
    assert "neither one of the 63 provinces before 01/07/2025" in exc.value.en


def test_a_directives_task_goes_to_the_bodies_of_its_date(personas, commune_b, settings):
    from directives import services
    from directives.catalog import district_committee_name
    from directives.models import Directive, Task
    from tests.directives.conftest import seed_text

    settings.PHONGDICH_STRUCTURE = "2025"
    committee = district_committee_name(commune_b.parent.name)  # a district People's Committee, gone since 01/07/2025
    tasks = [{"ref": "1", "text": "Theo dõi người bệnh tại nhà.", "assignees": [committee], "deadline": None,
              "recurrence": None, "milestones": []}]
    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    Directive.objects.filter(pk=d.pk).update(issued_on=dt.date(2026, 1, 5))
    d.refresh_from_db()
    with pytest.raises(Invalid) as exc:
        services.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    assert "05/01/2026" in exc.value.vi and "giải thể" in exc.value.vi and "dissolved" in exc.value.en
    assert exc.value.field == "assignees" and not Task.objects.exists()
    Directive.objects.filter(pk=d.pk).update(issued_on=dt.date(2022, 2, 5))
    d.refresh_from_db()
    services.confirm_directive(d, by=personas["health_dept"], tasks=tasks)  # in 2022 the district committee existed
    assert Task.objects.filter(directive=d).exists()


def test_a_criteria_import_row_on_a_unit_of_the_other_structure_says_why(personas, commune_b):
    from levels.importers import CriteriaImporter
    from levels.models import CriteriaEntry

    ba_to = AdministrativeUnit.objects.get(structure="2025", level="commune", code="21484")  # no pre-2025 namesake code
    text = f"Mã đơn vị,Tuần\n{commune_b.code},07/02/2022\n{ba_to.code},07/02/2022\n"
    result = CriteriaImporter(by=personas["admin"]).run(text.encode(), "tieu-chi.csv")
    assert not result.saved and not CriteriaEntry.objects.exists()
    [err] = result.errors
    assert err.line == 3 and "07/02/2022" in err.message_vi and "before 01/07/2025" in err.message_en


# --- forms ------------------------------------------------------------------------------------------------------------
def test_the_forms_show_the_refusal_instead_of_an_error_page(client_for, personas, officer, new_commune, split_a, settings):
    from contacts.models import Outbreak
    from vaccination.models import Injection
    from vaccination.selectors import product_by_code

    settings.PHONGDICH_STRUCTURE = "2025"
    person = make_person(split_a, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10))
    c = client_for(personas["admin"])
    r = c.post(f"/vaccination/nguoi/{person.pk}/tiem/", {"product": product_by_code("comirnaty").pk, "dose_kind": "primary",
                                                        "dose_number": 1, "given_on": "01/09/2025"})
    page = r.content.decode()
    assert r.status_code == 400 and "giải thể" in page and "dissolved" in page and not Injection.objects.exists()
    r = client_for(officer).post("/contacts/o-dich/", {"name": "Ổ dịch thôn 1", "commune": new_commune.pk, "started_on": "05/02/2022",
                                                      "place_kind": "commune"})
    page = r.content.decode()
    assert r.status_code == 200 and "An outbreak dated 05/02/2022 (before 01/07/2025) cannot be put on" in page
    assert not Outbreak.objects.exists()


def test_the_people_api_refuses_a_move_across_structures(api_for, personas, commune_b, new_commune):
    p = make_person(commune_b)
    r = api_for(personas["admin"]).patch(f"/api/people/{p.pk}/", {"commune": new_commune.pk, "version": p.version},
                                         format="json")
    assert r.status_code == 400, r.content
    assert "chuyển địa bàn" in r.json()["message_vi"] and "re-homing flow" in r.json()["message_en"]
    p.refresh_from_db()
    assert p.commune_id == commune_b.pk


def test_a_vaccination_campaign_lies_on_a_unit_of_a_structure_in_force_during_its_period(personas, kontum, province_2025,
                                                                                         settings):
    from vaccination.outreach import create_campaign

    settings.PHONGDICH_STRUCTURE = "2025"
    last_old, first_new = dt.date(2025, 6, 30), dt.date(2025, 7, 1)

    def make(unit, starts_on, deadline):
        return create_campaign(by=personas["admin"], data={"name": "Mũi nhắc", "target": "dose1", "age_min": 18,
                                                           "starts_on": starts_on, "deadline": deadline, "unit": unit})

    # Running across 01/07/2025 (even by one day at either end): on the old province or on today's.
    assert make(province_2025, last_old, first_new).pk and make(kontum, last_old, first_new).pk
    assert make(province_2025, dt.date(2025, 5, 1), dt.date(2025, 9, 30)).pk
    # Ending the day before: not on today's province; starting on 01/07/2025: not on the dissolved one.
    with pytest.raises(Invalid) as ended:
        make(province_2025, dt.date(2025, 5, 1), last_old)
    assert "01/05/2025 – 30/06/2025" in ended.value.vi and "ends before 01/07/2025" in ended.value.en
    assert ended.value.field == "unit" and province_2025.name in ended.value.en
    with pytest.raises(Invalid) as started:
        make(kontum, first_new, dt.date(2025, 9, 30))
    assert "01/07/2025 – 30/09/2025" in started.value.vi and "giải thể" in started.value.vi
    assert "dissolved" in started.value.en and kontum.name in started.value.en


def test_a_directive_of_2021_names_the_commune_committee_of_its_time(personas, kontum, settings):
    """"Ủy ban nhân dân Xã Đăk Pék" names a pre-2025 commune and the 2025 commune that kept its name: a 2021 directive
    gets the former (the structure in force on its date); the same committee in a 2026 directive is the 2025 one."""
    from directives import services
    from directives.models import Directive, Task
    from tests.directives.conftest import seed_text

    settings.PHONGDICH_STRUCTURE = "2025"
    old = AdministrativeUnit.objects.get(path="/62/610/23353/")
    assert old.name == "Xã Đăk Pék" and AdministrativeUnit.objects.filter(structure="2025", name=old.name).exists()
    name = f"Ủy ban nhân dân {old.name}"
    tasks = [{"ref": "1", "text": "Tổ chức tiêm chủng.", "assignees": [name], "deadline": None, "recurrence": None,
              "milestones": []}]
    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    Directive.objects.filter(pk=d.pk).update(issued_on=dt.date(2021, 9, 1))
    d.refresh_from_db()
    services.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    task = Task.objects.get(directive=d)
    assert task.assignments.get().agency.unit_id == old.pk
    later = services.register_directive(by=personas["health_dept"], text=seed_text("003"))
    Directive.objects.filter(pk=later.pk).update(issued_on=dt.date(2026, 1, 5))
    later.refresh_from_db()
    services.confirm_directive(later, by=personas["health_dept"], tasks=tasks)  # the same body, on today's map
    assert Task.objects.filter(directive=later).exists()


def test_a_newcomer_s_former_commune_is_set_on_his_record_and_his_old_dose_then_goes_there(
        commune_b, new_commune, client_for):
    """A 2020 dose of someone registered on a 2025 commune made of several former ones is refused until his former
    commune is known; the person form sets it (a pre-2025 commune, audited), and the dose then lies on it. Someone on
    a pre-2025 commune has no former commune."""
    from django.forms.models import model_to_dict

    from audit.models import AuditEvent
    from diseases.packs import install_missing, load, shipped_pack
    from people.models import Person
    from vaccination.models import Product
    from vaccination.services import record_routine_dose

    install_missing("covid19")
    load(shipped_pack("measles"), "measles.yaml")
    mr = Product.objects.get(code="mr")
    officer = make_user("so_y_te_qn_former", "health_dept", new_commune.parent)
    newcomer = make_person(new_commune, full_name="Lê Bảo Duy", date_of_birth=dt.date(2019, 3, 1))
    with pytest.raises(Invalid) as exc:
        record_routine_dose(by=None, person=newcomer, product=mr, given_on=dt.date(2020, 3, 1))
    assert "Xã/phường cũ (trước 01/07/2025)" in exc.value.vi and "Former commune (before 01/07/2025)" in exc.value.en
    web = client_for(officer)
    page = web.get(f"/people/{newcomer.pk}/sua/").content.decode()
    assert 'name="former_commune"' in page and f'value="{commune_b.pk}"' in page
    data = {k: ("" if v is None else v) for k, v in model_to_dict(newcomer).items()
            if k in ("full_name", "birth_year", "sex", "id_kind", "id_number", "phone", "commune", "street")}
    data.update(date_of_birth="01/03/2019", former_commune=commune_b.pk, version=newcomer.version)
    assert web.post(f"/people/{newcomer.pk}/sua/", data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.former_commune_id == commune_b.pk
    assert AuditEvent.objects.filter(target_type="people.person", target_id=str(newcomer.pk), action="update",
                                     changes__has_key="former_commune").exists()
    dose = record_routine_dose(by=None, person=Person.objects.get(pk=newcomer.pk), product=mr, given_on=dt.date(2020, 3, 1))
    assert dose.commune_id == commune_b.pk
    # A 2025 commune is not a former commune, and someone still on a pre-2025 commune has none.
    from people.services import update_person

    with pytest.raises(Invalid):
        update_person(by=officer, person=newcomer, data={"former_commune": new_commune}, expected_version=newcomer.version)
    old_timer = make_person(commune_b, full_name="Lê Bảo Châu", date_of_birth=dt.date(2019, 3, 1))
    with pytest.raises(Invalid):
        update_person(by=officer, person=old_timer, data={"former_commune": commune_b}, expected_version=old_timer.version)
