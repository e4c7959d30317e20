"""Browser: paste seed 002, confirm the tasks, record progress on one as the Department of Health, see the scorecard."""
import pytest

from tests.conftest import browser_login

from .conftest import seed_text


@pytest.mark.browser
def test_it_turns_a_pasted_directive_into_tasks_and_follows_one_to_completion(personas, kontum, live_server, page):
    from accounts.models import Agency
    from directives.models import Assignment

    health = Agency.objects.get_or_create(name="Sở Y tế", defaults={"kind": "health"})[0]
    officer = personas["health_dept"]
    officer.agency = health
    officer.save()

    page.set_default_timeout(60_000)  # the review page carries 20 proposed tasks with their fanned-out agencies
    browser_login(page, live_server, "so_y_te")
    page.goto(f"{live_server.url}/directives/nhap/")
    page.fill("#id_text", seed_text("002"))
    page.click("#read-directive")
    page.wait_for_selector("#confirm-directive")
    assert page.locator(".task-row").count() == 20
    assert "Đoàn thanh niên cấp huyện, xã" in page.inner_text(".new-agency")
    page.click("#confirm-directive")
    page.wait_for_selector("text=Đã xác nhận văn bản và giao 20 nhiệm vụ")

    card = page.locator(".task-card", has_text="Khẩn trương ban hành sổ tay")
    assert "15/02/2022" in card.inner_text()
    card.locator("a", has_text="Sở Y tế").click()
    page.wait_for_selector("#progress-form")
    page.fill("#id_text", "Đã ban hành sổ tay hướng dẫn cách ly điều trị F0 tại nhà")
    page.fill("#id_figures", "Số bản in: 5000")
    page.check("#id_done")
    page.click("#send-progress")
    page.wait_for_selector("text=Đã ghi nhận báo cáo tiến độ")
    assert page.inner_text("#status") == "Đã hoàn thành"
    assert "Số bản in: 5000" in page.inner_text(".progress-report")

    page.goto(f"{live_server.url}/directives/bang-theo-doi/")
    row = page.locator("#scorecard tr", has_text="Sở Y tế").first
    cells = row.locator("td").all_inner_texts()
    done = Assignment.objects.filter(agency=health, status="done").count()
    assert done == 1 and cells[2] == "1"
    assert int(cells[1]) == Assignment.objects.filter(agency=health).count()
