"""/api/users/: the user management pages' actions for administrators, with the same scoping and the project's error
shape."""
import io

import pytest

from accounts.models import User
from audit.models import AuditEvent
from tests.accounts.test_user_management import staff_xlsx

pytestmark = pytest.mark.django_db


def test_an_administrator_lists_users_with_their_last_sign_in(personas, api_for):
    body = api_for(personas["admin"]).get("/api/users/").json()
    names = {u["username"] for u in body["results"]}
    assert {"tram_a", "quantri", "so_gd"} <= names and "last_login" in body["results"][0]


def test_the_department_of_health_lists_no_administrator(personas, api_for):
    api = api_for(personas["health_dept"])
    names = {u["username"] for u in api.get("/api/users/").json()["results"]}
    assert "tram_a" in names and "quantri" not in names
    assert api.get(f"/api/users/{personas['admin'].pk}/").status_code == 404


@pytest.mark.parametrize("who", ["commune_a", "leader", "care_a", "vaccinator_a", "agency"])
def test_other_roles_are_refused(personas, api_for, who):
    api = api_for(personas[who])
    assert api.get("/api/users/").status_code == 403
    assert api.post("/api/users/", {"username": "x", "role": "commune_health"}, format="json").status_code == 403


def test_create_answers_the_initial_password_once_and_audits(personas, api_for, commune_a):
    r = api_for(personas["health_dept"]).post("/api/users/", {"username": "api_tram", "full_name": "Y Nhi", "role": "commune_health",
                                                              "unit": commune_a.pk}, format="json")
    assert r.status_code == 201, r.content
    user = User.objects.get(username="api_tram")
    assert user.check_password(r.json()["initial_password"]) and user.must_change_password
    assert AuditEvent.objects.filter(action="create", target_type="accounts.user", target_id=str(user.pk)).exists()


def test_a_refusal_has_the_vietnamese_and_english_message(personas, api_for, kontum):
    r = api_for(personas["health_dept"]).post("/api/users/", {"username": "qt9", "role": "sysadmin", "unit": kontum.pk}, format="json")
    assert r.status_code == 400
    assert r.json()["message_vi"].startswith("Chỉ quản trị hệ thống") and r.json()["message_en"].startswith("Only a system")
    assert not User.objects.filter(username="qt9").exists()


def test_patch_deactivate_reactivate_and_resets(personas, api_for, commune_a2):
    api = api_for(personas["admin"])
    pk = personas["commune_a"].pk
    r = api.patch(f"/api/users/{pk}/", {"role": "care_team", "unit": commune_a2.pk}, format="json")
    assert r.status_code == 200 and r.json()["role"] == "care_team" and r.json()["unit"] == commune_a2.pk
    assert api.post(f"/api/users/{pk}/deactivate/").json()["is_active"] is False
    assert api.post(f"/api/users/{pk}/reactivate/").json()["is_active"] is True
    password = api.post(f"/api/users/{pk}/reset-password/").json()["initial_password"]
    assert User.objects.get(pk=pk).check_password(password)
    assert api.post(f"/api/users/{pk}/reset-second-factor/").json() == {"removed_devices": 0}


def test_import_is_all_or_nothing_with_reasons(personas, api_for):
    api = api_for(personas["admin"])
    bad = api.post("/api/users/import/", {"file": staff_xlsx([("u1", "A", "commune_health", "23281", "", ""),
                                                               ("u2", "B", "không rõ", "23281", "", "")])}, format="multipart")
    assert bad.status_code == 400 and bad.json()["errors"][0]["line"] == 3 and bad.json()["errors"][0]["message_en"]
    assert not User.objects.filter(username="u1").exists()
    good = api.post("/api/users/import/", {"file": staff_xlsx([("u1", "A", "commune_health", "23281", "", "")])}, format="multipart")
    assert good.status_code == 201 and good.json()["created"][0]["user"]["username"] == "u1"


def test_import_of_an_unreadable_file_is_a_400(personas, api_for):
    f = io.BytesIO(b"garbage")
    f.name = "x.pdf"
    r = api_for(personas["admin"]).post("/api/users/import/", {"file": f}, format="multipart")
    assert r.status_code == 400 and r.json()["message_en"].startswith("Unsupported file type")
