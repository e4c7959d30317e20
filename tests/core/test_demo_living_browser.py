"""In a browser, on the living demo: a regional health centre's officer signs in, sees today's checks due on the home
page, opens them, and switches a board to the pre-2025 map — the page then says it shows the 2021–2022 history."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import browser_login

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _ledger_survives_flush(transactional_db):
    """The demo writes the supplies ledger, whose append-only trigger refuses SQLite's flush (tests/supplies/conftest.py)."""
    yield
    from django.db import connection

    from supplies.migrations_sql import SQLITE_SQL

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER IF EXISTS supplies_no_delete")
            cur.execute("DELETE FROM supplies_movement")
            cur.execute(SQLITE_SQL[1])


@pytest.mark.browser
def test_a_regional_user_sees_todays_checks_due_and_switches_a_board_to_the_pre_2025_map(kontum, live_server, browser, settings):
    from core.management.commands.demo import DEMO_PASSWORD

    settings.PHONGDICH_DEMO = True
    now = dt.datetime(2026, 3, 11, 8, 30, tzinfo=TZ)
    with time_machine.travel(now, tick=True):
        call_command("demo", people=1500, today="11/03/2026", stdout=open("/dev/null", "w"))
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = ctx.new_page()
        browser_login(page, live_server, "khuvuc", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/")
        expect(page.locator("[data-era]")).to_have_attribute("data-era", "living")
        tile = page.locator("a.tile", has_text="Phiếu theo dõi đến hạn hôm nay")
        assert int(tile.locator(".value").inner_text().replace(".", "")) > 0
        tile.click()
        page.wait_for_url("**den_han=1**")
        rows = page.locator("table tbody tr")
        assert rows.count() > 0 and "Không có ca nào" not in rows.first.inner_text()
        assert "Đang điều trị" in rows.first.inner_text()

        # The vaccination coverage board, on today's map by default, then on the pre-2025 one.
        page.goto(f"{live_server.url}/vaccination/bao-phu/")
        switch = page.locator(".structure-switch")
        expect(switch).to_be_visible()
        switch.get_by_role("link", name="trước 01/07/2025").click()
        page.wait_for_url("**structure=pre2025**")
        expect(page.locator("[data-era]")).to_have_attribute("data-era", "history")
        expect(page.locator(".structure-switch [aria-current]")).to_contain_text("trước 01/07/2025")
        ctx.close()
