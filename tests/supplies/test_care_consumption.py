"""Care entries consume stock: a package dispensed to a home F0, a dose at a site, a rapid test. Care comes first: when
stock is missing the entry is still recorded and a shortfall is flagged; without a store nothing happens."""
import datetime as dt

import pytest
from django.utils import timezone

from supplies.models import Lot, Movement, Shortfall
from tests.conftest import make_person

from .conftest import balance, ledger_sum, receive

TODAY = timezone.localdate()  # the installation's day (Asia/Ho_Chi_Minh), as the services date entries


pytestmark = pytest.mark.usefixtures("old_structure")


@pytest.fixture(autouse=True)
def _covid_rules(db):
    from diseases.rules import clear_local
    from diseases.seed_covid19 import install

    install()
    clear_local()


def _case(personas, commune_a, **kw):
    from cases import services

    person = make_person(commune_a, full_name="Y Blông", birth_year=1980, phone="0905123456")
    return services.open_case(by=personas["commune_a"], person=person, confirmed_on=TODAY - dt.timedelta(days=1), **kw)


def test_dispensing_a_package_to_a_home_f0_issues_it_from_the_station_fefo(personas, catalogue, stores, commune_a):
    from cases import services

    pkg, st = catalogue["package_a"], stores["station_a"]
    receive(personas["commune_a"], st, pkg, 10, lot="LATE", expires=TODAY + dt.timedelta(days=300))
    receive(personas["commune_a"], st, pkg, 3, lot="SOON", expires=TODAY + dt.timedelta(days=40))
    case = _case(personas, commune_a)
    assert case.station_id == stores["station_a_facility"].pk
    d = services.dispense(by=personas["commune_a"], case=case, item="package_a", quantity=4)
    moves = list(Movement.objects.filter(care_ref=f"cases.dispensing:{d.pk}").order_by("id"))
    assert [(m.lot.code, m.quantity, m.kind, m.person_id) for m in moves] == [("SOON", -3, "dispense", case.person_id),
                                                                                ("LATE", -1, "dispense", case.person_id)]
    assert balance(st, pkg) == 9 == ledger_sum(st, pkg)
    assert not Shortfall.objects.exists()


def test_the_care_team_store_is_used_before_the_station(personas, catalogue, stores, commune_a):
    from cases import services
    from supplies.models import Store

    team_store = Store.objects.create(name="Túi thuốc tổ chăm sóc", kind="mobile_team", unit=commune_a, team=stores["team_a"],
                                      parent=stores["station_a"])
    receive(personas["commune_a"], team_store, catalogue["package_a"], 5)
    receive(personas["commune_a"], stores["station_a"], catalogue["package_a"], 5)
    case = _case(personas, commune_a, team=stores["team_a"])
    services.dispense(by=personas["care_a"], case=case, item="package_a", quantity=1)
    assert balance(team_store, catalogue["package_a"]) == 4 and balance(stores["station_a"], catalogue["package_a"]) == 5


def test_dispensing_without_stock_is_recorded_and_the_shortfall_flagged(personas, catalogue, stores, commune_a):
    from cases import services
    from cases.models import Dispensing

    receive(personas["commune_a"], stores["station_a"], catalogue["molnupiravir"], 1)
    case = _case(personas, commune_a)
    d = services.dispense(by=personas["commune_a"], case=case, item="molnupiravir", quantity=3)
    assert Dispensing.objects.filter(pk=d.pk).exists()
    sf = Shortfall.objects.get()
    assert (sf.store, sf.item, sf.quantity, sf.reason, sf.person_id) == (stores["station_a"], catalogue["molnupiravir"], 2, "no_stock", case.person_id)
    assert balance(stores["station_a"], catalogue["molnupiravir"]) == 0


def test_without_stores_nothing_is_consumed_or_flagged(personas, catalogue, commune_a):
    from cases import services

    case = _case(personas, commune_a)
    services.dispense(by=personas["commune_a"], case=case, item="package_a", quantity=1)
    assert not Movement.objects.exists() and not Shortfall.objects.exists()


def _dose(personas, commune_a, facility, lot, given_on=TODAY):
    from vaccination import services
    from vaccination.models import Product

    person = make_person(commune_a, full_name="Trần Thị Bình", date_of_birth=dt.date(1970, 5, 10), sex="F")
    return services.record_injection(by=personas["vaccinator_a"], person=person, product=Product.objects.get(code="comirnaty"),
                                     dose_kind="primary", dose_number=1, given_on=given_on, lot=lot, facility=facility)


def test_a_dose_consumes_one_dose_of_the_sites_lot(personas, catalogue, stores, commune_a):
    receive(personas["vaccinator_a"], stores["site_a"], catalogue["comirnaty"], 6, lot="FK1234", expires=TODAY + dt.timedelta(days=60))
    inj = _dose(personas, commune_a, stores["site_a_facility"], "fk1234")
    mv = Movement.objects.get(care_ref=f"vaccination.injection:{inj.pk}")
    assert (mv.kind, mv.quantity, mv.lot.code, mv.person_id) == ("dose", -1, "FK1234", inj.person_id)
    assert balance(stores["site_a"], catalogue["comirnaty"]) == 5


@pytest.mark.parametrize("case, reason", [("unknown", "unknown_lot"), ("expired", "expired_lot"), ("elsewhere", "no_stock")])
def test_a_dose_with_a_lot_not_usable_at_the_site_is_still_recorded_and_flagged(personas, catalogue, stores, commune_a, case, reason):
    from vaccination.models import Injection

    if case == "expired":
        receive(personas["health_dept"], stores["site_a"], catalogue["comirnaty"], 6, lot="OLD1", expires=TODAY - dt.timedelta(days=2))
    if case == "elsewhere":
        receive(personas["health_dept"], stores["province"], catalogue["comirnaty"], 6, lot="OLD1", expires=TODAY + dt.timedelta(days=30))
    inj = _dose(personas, commune_a, stores["site_a_facility"], "OLD1")
    assert Injection.objects.filter(pk=inj.pk).exists()
    sf = Shortfall.objects.get()
    assert (sf.reason, sf.lot_code, sf.store, sf.care_ref) == (reason, "OLD1", stores["site_a"], f"vaccination.injection:{inj.pk}")
    assert not Movement.objects.filter(kind="dose").exists()


def test_a_rapid_test_done_by_the_station_uses_one_kit(personas, catalogue, stores, commune_a):
    from testing import services

    receive(personas["commune_a"], stores["station_a"], catalogue["rapid_kit"], 25)
    person = make_person(commune_a, full_name="A Thút")
    t = services.record_test(by=personas["commune_a"], person=person, kind="rapid_antigen", sample_code="TN-1", taken_on=TODAY,
                             result="negative", lab=stores["station_a_facility"])
    services.record_test(by=personas["commune_a"], person=person, kind="rt_pcr", sample_code="PCR-1", taken_on=TODAY,
                         lab=stores["station_a_facility"])
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 24
    assert Movement.objects.get(kind="test").care_ref == f"testing.test:{t.pk}"


def test_the_recall_trace_of_a_vaccine_lot_names_who_received_it(personas, catalogue, stores, commune_a, client_for):
    receive(personas["health_dept"], stores["site_a"], catalogue["comirnaty"], 6, lot="RECALL7", expires=TODAY + dt.timedelta(days=60))
    inj = _dose(personas, commune_a, stores["site_a_facility"], "RECALL7")
    # A dose of the same lot recorded where no store is run still shows (from the vaccination records).
    from vaccination import services
    from vaccination.models import Product

    other = make_person(commune_a, full_name="Lê Văn Cường", date_of_birth=dt.date(1960, 1, 1), sex="M")
    services.record_injection(by=personas["vaccinator_a"], person=other, product=Product.objects.get(code="comirnaty"),
                              dose_kind="primary", dose_number=1, given_on=TODAY, lot="RECALL7")
    lot = Lot.objects.get(code="RECALL7")
    from supplies.selectors import lot_trace

    trace = lot_trace(personas["district_a"], lot)
    assert {p.full_name for p in trace["people"]} == {"Trần Thị Bình", "Lê Văn Cường"}
    assert [m.kind for m in trace["movements"]] == ["receipt", "dose"]
    # Someone of another district sees nobody of commune A.
    assert lot_trace(personas["commune_b"], lot)["people"] == []
    page = client_for(personas["district_a"]).get(f"/supplies/lo/{lot.pk}/")
    assert page.status_code == 200 and "Lê Văn Cường" in page.content.decode() and inj.person.full_name in page.content.decode()


def test_a_dispensing_in_the_past_counts_in_the_days_of_stock(personas, catalogue, stores, commune_a):
    from cases import services
    from supplies.selectors import position

    receive(personas["commune_a"], stores["station_a"], catalogue["package_a"], 30)
    case = _case(personas, commune_a)
    services.dispense(by=personas["commune_a"], case=case, item="package_a", quantity=7, given_at=timezone.now())
    [row] = position(personas["commune_a"], item_ids=[catalogue["package_a"].pk])
    assert (row.quantity, row.consumed, row.days_left) == (23, 7, 46.0)
