"""On a phone the header leaves the screen to the work: one row for the brand and account, one for the menu."""
import pytest

from tests.conftest import browser_login


@pytest.mark.browser
def test_the_phone_header_is_compact_and_the_whole_menu_stays_reachable(personas, live_server, phone_page):
    page = phone_page
    browser_login(page, live_server, "so_y_te")
    page.goto(f"{live_server.url}/people/")
    height = page.locator("header.topbar").bounding_box()["height"]
    assert height <= 90, f"the header takes {height:.0f} of 844 px"
    nav = page.locator("nav.mainnav")
    assert nav.evaluate("n => n.scrollWidth > n.clientWidth")  # the menu scrolls sideways instead of wrapping
    page.locator("nav.mainnav summary", has_text="Ca bệnh").scroll_into_view_if_needed()
    assert page.locator("nav.mainnav summary", has_text="Ca bệnh").is_visible()
