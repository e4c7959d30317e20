"""Each role gets exactly what the README's role table grants: every write action, through the UI and the API, is
tried by every role. The expectation is accounts.roles.PERMISSIONS, the one table views and API permissions use;
the README's rows are checked against that table below.

A request is sent with an empty form or body (or an id that does not exist), so an allowed role gets a form error,
a 400 or a 404 and nothing is stored, while a role without the right gets 403 before anything is read."""
import pytest

from accounts.roles import PERMISSIONS, Role, allowed

pytestmark = pytest.mark.django_db

MISSING = 999999

# (action in accounts.roles.PERMISSIONS, channel, method, path)
WRITES = [
    ("people.edit", "ui", "post", "/people/them/"),
    ("people.edit", "ui", "post", "/people/nhap/"),
    ("people.edit", "api", "post", "/api/people/"),
    ("cases.register", "ui", "post", "/cases/them/"),
    ("cases.register", "ui", "post", "/cases/nhap/"),
    ("cases.follow_up", "ui", "post", f"/cases/canh-bao/{MISSING}/tiep-nhan/"),
    ("cases.follow_up", "api", "post", f"/api/cases/{MISSING}/checks/"),
    ("cases.follow_up", "api", "post", f"/api/alerts/{MISSING}/acknowledge/"),
    ("cases.follow_up", "api", "post", "/api/contacts/"),
    ("testing.edit", "ui", "post", "/testing/them/"),
    ("testing.edit", "ui", "post", "/testing/nhap-ket-qua/"),
    ("testing.edit", "api", "post", "/api/tests/"),
    ("vaccination.edit", "ui", "post", "/vaccination/nhap/"),
    ("vaccination.edit", "api", "post", "/api/vaccination/injections/"),
    ("rules.edit", "ui", "post", "/diseases/them/"),
    ("geo.edit", "ui", "post", "/geo/thon/them/"),
    ("geo.edit", "api", "post", "/api/villages/"),
    ("levels.propose", "ui", "post", "/levels/de-xuat-ca-tuan/"),
    ("levels.decide", "ui", "post", "/levels/quyet-dinh-ca-tuan/"),
    ("levels.enter_criteria", "ui", "post", "/levels/nhap-so-lieu/"),
    ("directives.edit", "ui", "post", "/directives/nhap/"),
    ("directives.report_progress", "api", "post", f"/api/directive-tasks/{MISSING}/progress/"),
    ("reports.edit", "ui", "post", "/reports/lap/"),
    ("reports.edit", "ui", "post", "/reports/so-lieu-ngoai/"),
    ("users.manage", "ui", "post", "/accounts/nguoi-dung/them/"),
    ("users.manage", "ui", "post", "/accounts/nguoi-dung/nhap/"),
    ("users.manage", "api", "post", "/api/users/"),
    ("audit.view", "ui", "get", "/audit/"),
]

# One persona per role (tests.conftest.personas), the administrator not a superuser so that his role alone decides.
ROLE_PERSONA = {
    Role.LEADERSHIP: "leader", Role.HEALTH_DEPT: "health_dept", Role.DISTRICT_HEALTH: "district_a", Role.REGIONAL_HEALTH: "region_a",
    Role.COMMUNE_HEALTH: "commune_a", Role.CARE_TEAM: "care_a", Role.LAB: "lab", Role.VACCINATOR: "vaccinator_a",
    Role.AGENCY_OFFICER: "agency", Role.SYSADMIN: "plain_admin",
}


@pytest.fixture
def people(personas, kontum, commune_a):
    from geo.services import create_region
    from tests.conftest import make_user

    new_a = commune_a.successor_links.get(is_default=True).new_unit
    region = create_region(by=None, province=new_a.parent, name="Khu vực A", communes=[new_a])
    return {**personas, "plain_admin": make_user("qt_vai_tro", "sysadmin", kontum),
            "region_a": make_user("kv_vai_tro", "regional_health", None, region=region)}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action,channel,method,path", WRITES, ids=[f"{a}:{p}" for a, _c, _m, p in WRITES])
def test_each_role_may_do_exactly_what_the_table_grants(people, client_for, api_for, role, action, channel, method, path):
    user = people[ROLE_PERSONA[role]]
    client = client_for(user) if channel == "ui" else api_for(user)
    response = getattr(client, method)(path, {}, **({"format": "json"} if channel == "api" and method == "post" else {}))
    if role in allowed(action):
        assert response.status_code != 403, f"{role} was refused {action} at {path}"
        assert response.status_code < 500
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} for {action} at {path}"


def test_every_write_action_of_the_table_is_tried():
    reads = {"health.view", "directives.view", "directives.view_all_tasks", "reports.view", "feedback.triage",
             "feedback.answer", "vaccination.supervise", "vaccination.visit", "admin.enter"}  # tested elsewhere
    assert set(PERMISSIONS) - reads <= {a for a, *_ in WRITES}


# The README's role table, row by row ("may change").
def test_leadership_changes_only_the_level_decision():
    writes = {a for a, *_ in WRITES}
    assert {a for a in writes if Role.LEADERSHIP in allowed(a)} == {"levels.decide"}


@pytest.mark.parametrize("role,may", [
    (Role.CARE_TEAM, {"cases.follow_up"}),
    (Role.LAB, {"testing.edit"}),
    (Role.VACCINATOR, {"vaccination.edit"}),
    (Role.AGENCY_OFFICER, {"directives.report_progress"}),
])
def test_field_roles_change_only_their_own_records(role, may):
    writes = {a for a, *_ in WRITES}
    assert {a for a in writes if role in allowed(a)} == may


def test_only_administrators_manage_the_whole_installation():
    assert allowed("admin.enter") == {Role.SYSADMIN} and allowed("audit.view") == {Role.SYSADMIN}
    assert allowed("users.manage") == {Role.SYSADMIN, Role.HEALTH_DEPT}
