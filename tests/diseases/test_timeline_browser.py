"""In a browser: the Department of Health opens a disease's rules and reads every kind on one time line, a period
without a rule drawn as a gap, and picks a day in the gap to see that no version applies."""
import pytest

from diseases import packs
from diseases.models import RuleKind
from tests.conftest import browser_login

from .test_rule_kinds import every_kind_pack


@pytest.mark.browser
def test_the_health_department_reads_every_kind_on_one_time_line(personas, live_server, browser):
    packs.load(every_kind_pack(), "testpox.yaml")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = ctx.new_page()
    browser_login(page, live_server, "so_y_te")
    page.goto(f"{live_server.url}/diseases/?disease=testpox")
    line = page.locator("#timeline")
    assert "Dòng thời gian của mọi loại quy định" in line.inner_text()
    # one lane per kind, each with its April 2024 gap drawn as a gap
    lanes = line.locator(".tl-lane")
    assert lanes.count() == len(RuleKind.values)
    gap = line.locator(".tl-lane").first.locator(".tl-gap").first
    assert "01/04/2024 – 30/04/2024" in gap.get_attribute("title")
    line.locator("summary").click()
    rows = line.locator("tr.tl-gap-row")
    assert rows.count() >= lanes.count()
    assert "Tiêu chí cấp độ dịch" in line.inner_text() and "Lịch tiêm chủng" in line.inner_text()
    page.fill("input[name=on]", "15/04/2024")
    page.click("form.searchbar button")
    page.wait_for_url("**on=15%2F04%2F2024**")
    assert "Không có phiên bản nào có hiệu lực vào ngày này" in page.inner_text("main")
    ctx.close()
