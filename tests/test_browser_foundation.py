"""In headless Chromium: a commune health worker, on a phone, signs in, finds a resident by a name typed without
diacritics and edits the record; an administrator signs in with his second factor and sees the audit entries."""
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import browser_login, make_person


@pytest.mark.browser
def test_a_commune_worker_finds_and_edits_a_person_and_the_administrator_sees_it(
    personas, commune_a, commune_b, live_server, phone_page, browser
):
    an = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980, occupation="Nông dân", ethnicity="01")
    make_person(commune_a, full_name="Nguyễn Văn Bình", birth_year=1981)
    make_person(commune_b, full_name="Nguyễn Văn An", birth_year=1990)  # same name, another district: not shown

    # --- The commune worker, on his phone ---------------------------------------------------------------------
    page = phone_page
    browser_login(page, live_server, "tram_a")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/people/")
    assert "Nguyễn Văn Bình" in page.inner_text("#results")
    seen = []
    page.on("request", lambda r: seen.append(r.url))
    page.fill("input[name=q]", "nguyen van an")  # HTMX searches as he types
    # A locator wait, not wait_for_function: the Content-Security-Policy forbids evaluating strings (no unsafe-eval).
    expect(page.locator("#results")).not_to_contain_text("Bình", timeout=30000)
    assert any("q=nguyen" in url for url in seen)
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1 and "Nguyễn Văn Bình" not in page.inner_text("#results")
    rows.first.locator("a").click()
    page.wait_for_url(f"{live_server.url}/people/{an.pk}/")
    assert "1980" in page.inner_text("main")
    page.click("text=Sửa hồ sơ")
    page.wait_for_url(f"{live_server.url}/people/{an.pk}/sua/")
    page.fill("#id_occupation", "Giáo viên")
    page.fill("#id_phone", "0168 912 3456")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/people/{an.pk}/")
    main = page.inner_text("main")
    assert "Đã lưu thay đổi." in main and "Giáo viên" in main and "0389123456" in main
    # Nothing spills sideways at phone size.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    an.refresh_from_db()
    assert (an.occupation, an.phone, an.version) == ("Giáo viên", "0389123456", 2)

    # --- The administrator, with his authenticator app ------------------------------------------------------------
    device = TOTPDevice.objects.create(user=personas["admin"], name="điện thoại", confirmed=True)
    context = browser.new_context(locale="vi-VN")
    admin = context.new_page()
    try:
        browser_login(admin, live_server, "quantri")
        admin.wait_for_url("**/accounts/xac-thuc/**")
        admin.fill("#id_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
        admin.click("form.stack button")
        admin.wait_for_url(f"{live_server.url}/")
        admin.goto(f"{live_server.url}/audit/?person={an.pk}")
        trail = admin.inner_text("table")
        assert "tram_a" in trail
        assert "Sửa" in trail and "Giáo viên" in trail and "0389123456" in trail  # the edit, field by field
        assert "Xem" in trail  # the views of the record
        assert "127.0.0.1" in trail  # from which address
    finally:
        context.close()
