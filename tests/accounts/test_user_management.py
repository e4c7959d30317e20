"""User management pages: system administrators for the whole installation, the Department of Health within its
province; create, change role and jurisdiction, deactivate and reactivate, reset a password or the second factor,
bulk-create from a staff list, last sign-in. Every change is audited."""
import io

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from geo.models import AdministrativeUnit
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = "/accounts/nguoi-dung/"
NEW = "/accounts/nguoi-dung/them/"
IMPORT = "/accounts/nguoi-dung/nhap/"


def detail(user):
    return f"/accounts/nguoi-dung/{user.pk}/"


@pytest.fixture
def other_province(kontum):
    """A unit of another province (Hà Nội, 01), outside the Department of Health's jurisdiction."""
    return AdministrativeUnit.objects.create(structure=kontum.structure, level=kontum.level, code="01", name="Thành phố Hà Nội",
                                             path="/01/")


def staff_xlsx(rows, header=("Tên đăng nhập", "Họ và tên", "Vai trò", "Địa bàn", "Cơ quan", "Điện thoại")) -> io.BytesIO:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "can-bo.xlsx"
    return buf


def test_an_administrator_creates_a_user_who_must_choose_his_password(personas, client_for, commune_a):
    c = client_for(personas["admin"])
    assert c.get(NEW).status_code == 200
    response = c.post(NEW, {"username": "tram_moi", "full_name": "Y Blông", "role": "commune_health", "unit": commune_a.pk})
    assert response.status_code == 200
    password = response.content.decode().split('<code id="initial-password">')[1].split("</code>")[0]
    user = User.objects.get(username="tram_moi")
    assert user.role == "commune_health" and user.unit == commune_a and user.must_change_password
    assert Client().post("/accounts/dang-nhap/", {"username": "tram_moi", "password": password}).status_code == 302
    assert AuditEvent.objects.filter(actor=personas["admin"], action="create", target_type="accounts.user",
                                     target_id=str(user.pk)).exists()


def test_the_department_of_health_creates_users_of_its_province(personas, client_for, commune_b):
    c = client_for(personas["health_dept"])
    c.post(NEW, {"username": "tram_b2", "full_name": "A Thương", "role": "care_team", "unit": commune_b.pk})
    assert User.objects.filter(username="tram_b2", unit=commune_b).exists()


def test_the_department_of_health_cannot_create_an_administrator(personas, client_for, kontum):
    c = client_for(personas["health_dept"])
    assert 'value="sysadmin"' not in c.get(NEW).content.decode()
    c.post(NEW, {"username": "qt2", "full_name": "X", "role": "sysadmin", "unit": kontum.pk})
    assert not User.objects.filter(username="qt2").exists()


def test_the_department_of_health_cannot_place_a_user_outside_its_province(personas, client_for, other_province):
    from accounts.services import create_user
    from core.errors import Invalid

    c = client_for(personas["health_dept"])
    c.post(NEW, {"username": "hn1", "full_name": "X", "role": "commune_health", "unit": other_province.pk})
    assert not User.objects.filter(username="hn1").exists()
    with pytest.raises(Invalid, match="ngoài phạm vi"):
        create_user(by=personas["health_dept"], username="hn1", role="commune_health", unit=other_province)


def test_the_department_of_health_sees_neither_administrators_nor_other_provinces(personas, client_for, other_province):
    outsider = make_user("hanoi", "commune_health", other_province)
    c = client_for(personas["health_dept"])
    page = c.get(LIST).content.decode()
    assert "tram_a" in page and "so_gd" in page
    assert "quantri" not in page and "hanoi" not in page
    assert c.get(detail(personas["admin"])).status_code == 404
    assert c.get(detail(outsider)).status_code == 404
    assert "hanoi" in client_for(personas["admin"]).get(LIST).content.decode()


@pytest.mark.parametrize("who", ["commune_a", "district_a", "leader", "care_a", "lab", "vaccinator_a", "agency"])
def test_other_roles_cannot_manage_users(personas, client_for, who):
    c = client_for(personas[who])
    assert c.get(LIST).status_code == 403
    assert c.post(NEW, {"username": "x1", "full_name": "X", "role": "commune_health"}).status_code == 403
    assert c.post(detail(personas["commune_b"]), {"action": "deactivate"}).status_code == 403
    assert personas["commune_b"].__class__.objects.get(pk=personas["commune_b"].pk).is_active


def test_deactivation_stops_sign_in_and_reactivation_restores_it(personas, client_for):
    c = client_for(personas["health_dept"])
    target = personas["commune_a"]
    session = Client()
    session.post("/accounts/dang-nhap/", {"username": "tram_a", "password": "Mat-khau-2022"})
    c.post(detail(target), {"action": "deactivate"})
    target.refresh_from_db()
    assert not target.is_active
    assert session.get("/people/").status_code == 302  # the open session ends
    assert Client().post("/accounts/dang-nhap/", {"username": "tram_a", "password": "Mat-khau-2022"}).status_code == 200
    c.post(detail(target), {"action": "activate"})
    assert Client().post("/accounts/dang-nhap/", {"username": "tram_a", "password": "Mat-khau-2022"}).status_code == 302
    notes = list(AuditEvent.objects.filter(target_type="accounts.user", target_id=str(target.pk)).values_list("note", flat=True))
    assert "user deactivated" in notes and "user reactivated" in notes


def test_an_administrator_cannot_lock_himself_out(personas, client_for):
    client_for(personas["admin"]).post(detail(personas["admin"]), {"action": "deactivate"})
    personas["admin"].refresh_from_db()
    assert personas["admin"].is_active


def test_a_password_reset_gives_a_one_time_password_to_replace(personas, client_for):
    response = client_for(personas["health_dept"]).post(detail(personas["commune_a"]), {"action": "reset_password"})
    password = response.content.decode().split('<code id="initial-password">')[1].split("</code>")[0]
    personas["commune_a"].refresh_from_db()
    assert personas["commune_a"].must_change_password and personas["commune_a"].check_password(password)


def test_a_second_factor_reset_removes_the_lost_device(personas, client_for):
    TOTPDevice.objects.create(user=personas["commune_a"], name="lost phone", confirmed=True)
    client_for(personas["health_dept"]).post(detail(personas["commune_a"]), {"action": "reset_otp"})
    assert not TOTPDevice.objects.filter(user=personas["commune_a"]).exists()
    assert AuditEvent.objects.filter(target_id=str(personas["commune_a"].pk), note__startswith="second factor reset").exists()


def test_role_and_jurisdiction_change_is_audited(personas, client_for, commune_a2, old_structure):
    # The district role is given on installations of the pre-2025 structure only (accounts.services.STRUCTURE_ROLES).
    target = personas["commune_a"]
    c = client_for(personas["health_dept"])
    c.post(detail(target), {"action": "save", "full_name": "Trạm A", "role": "district_health", "unit": commune_a2.parent_id})
    target.refresh_from_db()
    assert (target.role, target.unit_id, target.full_name) == ("district_health", commune_a2.parent_id, "Trạm A")
    ev = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(target.pk), action="update").latest("at")
    assert ev.changes["role"] == ["commune_health", "district_health"]


def test_the_list_shows_the_last_sign_in(personas, client_for):
    Client().post("/accounts/dang-nhap/", {"username": "tram_a", "password": "Mat-khau-2022"})
    personas["commune_a"].refresh_from_db()
    page = client_for(personas["admin"]).get(LIST, {"q": "tram_a"}).content.decode()
    assert personas["commune_a"].last_login is not None
    from django.utils import timezone

    assert timezone.localtime(personas["commune_a"].last_login).strftime("%d/%m/%Y %H:%M") in page
    assert "Chưa đăng nhập" in client_for(personas["admin"]).get(LIST, {"q": "tram_b"}).content.decode()


def test_the_list_costs_the_same_few_queries_for_any_number_of_users(personas, client_for, commune_a, django_assert_max_num_queries):
    for i in range(40):
        make_user(f"nv{i:02}", "care_team", commune_a)
    c = client_for(personas["admin"])
    with django_assert_max_num_queries(12):
        assert c.get(LIST).status_code == 200


def test_bulk_creation_from_a_staff_list(personas, client_for):
    rows = [("tram_moi_1", "Y Ngọc", "Nhân viên Trạm Y tế xã", "23281", "", "0905111222"),
            ("to_moi_1", "A Ka", "Thành viên tổ chăm sóc / tổ cộng đồng", "Phường Quang Trung", "", ""),
            ("gd_moi_1", "Bùi Thị Giáo", "Cán bộ sở, ban, ngành khác", "", "Sở Giáo dục và Đào tạo", "")]
    response = client_for(personas["health_dept"]).post(IMPORT, {"file": staff_xlsx(rows)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="created-users"' in page
    created = {u.username: u for u in User.objects.filter(username__in=["tram_moi_1", "to_moi_1", "gd_moi_1"])}
    assert set(created) == {"tram_moi_1", "to_moi_1", "gd_moi_1"} and all(u.must_change_password for u in created.values())
    assert created["tram_moi_1"].unit.code == "23281" and created["to_moi_1"].role == "care_team"
    assert created["gd_moi_1"].agency.name == "Sở Giáo dục và Đào tạo"


def test_a_staff_list_with_a_bad_row_creates_nobody_and_says_why(personas, client_for, other_province):
    rows = [("ok_1", "Y Ngọc", "commune_health", "23281", "", ""),
            ("ok_1", "Trùng tên", "commune_health", "23281", "", ""),
            ("qt_moi", "Quản trị", "Quản trị hệ thống", "62", "", ""),
            ("bad role", "X", "Bác sĩ trưởng", "23281", "", ""),
            ("tram_a", "Đã có", "commune_health", "23281", "", ""),
            ("hn", "Ngoài tỉnh", "commune_health", "01", "", "")]
    response = client_for(personas["health_dept"]).post(IMPORT, {"file": staff_xlsx(rows)})
    page = response.content.decode()
    assert not User.objects.filter(username__in=["ok_1", "qt_moi", "hn"]).exists()
    errors = page.split('id="import-errors"')[1]
    for line, vi, en in [(3, "trùng với dòng 2", "repeats line 2"), (4, "Chỉ quản trị hệ thống", "Only a system administrator"),
                         (5, "Vai trò không rõ", "Unknown role"), (5, "dấu cách", "spaces"), (6, "đã có", "is taken"),
                         (7, "Không có địa bàn", "No unit")]:
        assert f"<td>{line}</td>" in errors and vi in errors and en in errors, (line, vi)


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(personas, client_for):
    bad = io.BytesIO(b"\x00\x01not a zip")
    bad.name = "can-bo.xlsx"
    response = client_for(personas["admin"]).post(IMPORT, {"file": bad})
    assert response.status_code == 200 and "Không mở được tệp Excel" in response.content.decode()


def test_the_user_pages_read_in_english(personas, client_for):
    c = client_for(personas["admin"])
    c.post("/i18n/setlang/", {"language": "en", "next": LIST})
    page = c.get(LIST).content.decode()
    assert "Last sign-in" in page and "Import a staff list" in page and "Đăng nhập gần nhất" not in page
    assert "Change password" in c.get("/accounts/tai-khoan/").content.decode()
