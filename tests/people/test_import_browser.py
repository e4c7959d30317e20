import pytest

from geo.models import Village
from people.models import Person
from tests.conftest import browser_login

from .helpers import csv_bytes


@pytest.mark.browser
def test_a_commune_worker_imports_a_file_on_his_phone(personas, commune_a, live_server, phone_page, tmp_path):
    Village.objects.create(commune=commune_a, name="Thôn 1")
    f = tmp_path / "ds.csv"
    f.write_bytes(csv_bytes([["Họ tên", "Ngày sinh", "Giới tính", "Điện thoại", "Tên thôn"],
                             ["Nguyễn Văn An", "05/03/1980", "Nam", "0905123456", "Thôn 1"],
                             ["Trần Thị B", "31/02/1990", "Nữ", "", ""]], bom=True))
    page = phone_page
    browser_login(page, live_server, "tram_a")
    page.goto(f"{live_server.url}/people/nhap/")
    page.set_input_files("input[type=file]", str(f))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#import-errors")
    assert "31/02/1990" in page.inner_text("#import-errors") and Person.objects.count() == 0
    page.check("input[name=valid_only]")
    page.set_input_files("input[type=file]", str(f))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#import-result >> text=Đã nhập 1 dòng.")
    assert Person.objects.get().commune == commune_a  # the commune worker's own commune is the default
