"""In headless Chromium: the Department of Health creates a commune worker's account; the worker signs in on his
phone with the one-time password, is made to choose his own, and gets in."""
import pytest

from accounts.models import User
from tests.conftest import browser_login


@pytest.mark.browser
def test_a_new_user_is_created_and_chooses_his_password_at_first_sign_in(personas, commune_a, live_server, phone_page,
                                                                          browser, settings):
    settings.PHONGDICH_DEMO = False
    context = browser.new_context(locale="vi-VN")
    office = context.new_page()
    try:
        browser_login(office, live_server, "so_y_te")
        office.wait_for_url(f"{live_server.url}/")
        office.click("text=Người dùng")
        office.wait_for_url(f"{live_server.url}/accounts/nguoi-dung/")
        office.click("text=Thêm người dùng")
        office.fill("#id_username", "tram_qt_moi")
        office.fill("#id_full_name", "Y Hòa")
        office.select_option("#id_role", "commune_health")
        office.select_option("#id_unit", str(commune_a.pk))
        office.click("form.card button[type=submit]")
        password = office.inner_text("#initial-password").strip()
    finally:
        context.close()
    assert User.objects.get(username="tram_qt_moi").must_change_password

    page = phone_page
    browser_login(page, live_server, "tram_qt_moi", password)
    page.wait_for_url("**/accounts/tai-khoan/doi-mat-khau/**")
    page.goto(f"{live_server.url}/people/")  # anything else leads back to the password page
    page.wait_for_url("**/accounts/tai-khoan/doi-mat-khau/**")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password", "Suoi-Dak-Bla-2026")
    page.fill("#id_new_password2", "Suoi-Dak-Bla-2026")
    page.click("form.stack button")
    page.wait_for_url(f"{live_server.url}/people/")
    assert "Đã đổi mật khẩu." in page.inner_text("main")
    assert not User.objects.get(username="tram_qt_moi").must_change_password
