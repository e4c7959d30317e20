"""In a browser: open the map, pick a week, open a commune's explanation, propose its level, then decide and publish it."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from levels import services
from tests.conftest import browser_login

from .conftest import GOOD, WEEK, enter, set_population


@pytest.mark.browser
def test_it_proposes_decides_and_publishes_a_commune_level_from_the_map(personas, kontum, commune_a, live_server, browser, after_cut):
    set_population(commune_a, 10_000)
    older = WEEK - dt.timedelta(days=7)
    for week, rate in ((older, 5), (WEEK, 30)):
        enter(commune_a, week=week, **GOOD, new_cases_per_100k_week=rate)
        services.assess_units([commune_a], week, now=after_cut)

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = ctx.new_page()
    browser_login(page, live_server, "so_y_te")
    # Today's map by default: the 2022 level is derived on the 2025 commune that took commune A over.
    successor = commune_a.successor_links.get(is_default=True).new_unit
    page.goto(f"{live_server.url}/levels/?week={older.isoformat()}")
    cell = page.locator(f"a[data-unit='{successor.id}']")
    assert "level-1" in cell.get_attribute("class") and cell.get_attribute("data-derived") == "1"
    assert "xã cũ" in cell.inner_text() and commune_a.name in cell.get_attribute("title")
    page.click("nav.structure-switch a")  # "trước 01/07/2025": the week's own communes, where levels are decided
    page.wait_for_url("**structure=pre2025**")
    assert page.locator(f"a[data-unit='{commune_a.id}']").get_attribute("class").endswith("level-1")
    page.select_option("#week", WEEK.isoformat())
    page.wait_for_url(f"**week={WEEK.isoformat()}")
    page.click(f"a[data-unit='{commune_a.id}']")
    page.wait_for_selector("#unit-panel")
    panel = page.inner_text("#detail")
    assert "Tiêu chí 1" in panel and "30" in panel and "Cấp 2" in panel
    page.select_option("#propose-level", "2")
    page.click("#propose-form button")
    page.wait_for_selector("#decision-status")
    assert "Đã đề xuất" in page.inner_text("#decision-status")
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = ctx.new_page()
    browser_login(page, live_server, "lanh_dao")
    page.goto(f"{live_server.url}/levels/?week={WEEK.isoformat()}&structure=pre2025")
    page.click(f"a[data-unit='{commune_a.id}']")
    page.wait_for_selector("#decide-form")
    page.fill("#decision-number", "25/QĐ-UBND")
    page.click("#decide-form button")
    page.wait_for_selector("#publish-button")
    assert "Đã quyết định" in page.inner_text("#decision-status")
    page.click("#publish-button")
    # A locator wait, not wait_for_function: the Content-Security-Policy forbids evaluating strings (no unsafe-eval).
    expect(page.locator("#decision-status")).to_contain_text("Đã công bố", timeout=30000)
    ctx.close()

    public = browser.new_page()
    public.goto(f"{live_server.url}/levels/cong-khai/")
    assert "Chưa có cấp độ nào được công bố" in public.content()  # effective only after 48 hours
    public.close()
    from levels.models import LevelDecision

    d = LevelDecision.objects.get(unit=commune_a, week_start=WEEK)
    assert (d.status, d.decided_level, d.decision_number) == ("published", 2, "25/QĐ-UBND")
