"""In a real browser at phone size: a commune station receives a transfer from the province, dispenses a medicine package
to a home F0, and sees its balance and days of stock change."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import browser_login, make_person

from .conftest import receive

pytestmark = pytest.mark.usefixtures("old_structure")


@pytest.mark.browser
def test_a_station_receives_a_transfer_dispenses_to_an_f0_and_sees_its_stock_change(
        personas, catalogue, stores, commune_a, live_server, phone_page):
    from cases import services as cases
    from diseases.seed_covid19 import install
    from supplies import services
    from supplies.models import Lot

    install()
    boss, station = personas["health_dept"], stores["station_a"]
    pkg = catalogue["package_a"]
    receive(boss, stores["province"], pkg, 500, lot="GA-2201", expires=dt.date.today() + dt.timedelta(days=200))
    lot = Lot.objects.get(code="GA-2201")
    # The station already gave 14 packages over the last two weeks (one a day) from 20 it held: 6 left.
    receive(boss, station, pkg, 20, lot="GA-2112", expires=dt.date.today() + dt.timedelta(days=100))
    old = Lot.objects.get(code="GA-2112")
    for day in range(14):
        services.issue(by=boss, store=station, lot=old, quantity=1, kind="dispense", at=timezone.now() - dt.timedelta(days=day, hours=1))
    transfer = services.dispatch(by=boss, from_store=stores["province"], to_store=station, lines=[(lot, 50)], document="PX-0142")
    case = cases.open_case(by=personas["commune_a"], person=make_person(commune_a, full_name="Y Blông", phone="0905123456"),
                           confirmed_on=dt.date.today())

    page = phone_page
    browser_login(page, live_server, "tram_a")
    page.goto(f"{live_server.url}/supplies/kho/{station.pk}/")
    row = page.locator(f"#stock tr[data-item='{pkg.pk}']")
    assert "6 gói" in row.locator(".quantity").inner_text() and row.locator(".days").inner_text() == "6,0"
    page.click(f"#incoming-{transfer.pk} a")
    page.click("#receive button[type=submit]")
    page.wait_for_selector("text=Đã xác nhận nhận hàng")
    row = page.locator(f"#stock tr[data-item='{pkg.pk}']")
    assert "56 gói" in row.locator(".quantity").inner_text() and row.locator(".days").inner_text() == "56,0"

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator("form[action$='/cap-thuoc/']")
    form.locator("select[name=item]").select_option("package_a")
    form.locator("input[name=quantity]").fill("1")
    form.locator("button").click()
    page.wait_for_selector("text=Đã ghi cấp thuốc")

    page.goto(f"{live_server.url}/supplies/kho/{station.pk}/")
    row = page.locator(f"#stock tr[data-item='{pkg.pk}']")
    # 55 left at 15 packages in 14 days: 51.3 days.
    assert "55 gói" in row.locator(".quantity").inner_text() and row.locator(".days").inner_text() == "51,3"
    assert "Cấp thuốc cho F0" in page.inner_text(".movements")
    assert page.viewport_size["width"] == 390
