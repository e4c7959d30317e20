"""Roles and what each may do: the one table (PERMISSIONS) of role → allowed actions, as in the README's role table.

Views, API permissions and the apps' own `roles.py` name the sets derived from it below (or call `allowed()` /
`can()`), never raw role strings; tests/accounts/test_role_matrix.py checks every role against every write action.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADERSHIP = "leadership", _("Lãnh đạo / Ban Chỉ đạo tỉnh")
    HEALTH_DEPT = "health_dept", _("Cán bộ Sở Y tế")
    DISTRICT_HEALTH = "district_health", _("Cán bộ y tế huyện")
    COMMUNE_HEALTH = "commune_health", _("Nhân viên Trạm Y tế xã")
    CARE_TEAM = "care_team", _("Thành viên tổ chăm sóc / tổ cộng đồng")
    LAB = "lab", _("Kỹ thuật viên xét nghiệm")
    VACCINATOR = "vaccinator", _("Nhân viên tiêm chủng")
    AGENCY_OFFICER = "agency_officer", _("Cán bộ sở, ban, ngành khác")
    SYSADMIN = "sysadmin", _("Quản trị hệ thống")


R = Role
ALL_ROLES = frozenset(Role.values)
_HEALTH_STAFF = {R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.SYSADMIN}

# action → the roles that may do it. A system administrator may do everything (User.sees_everything); he is listed
# anyway so that the table reads like the README's. Scoping to the user's jurisdiction is core/scoping.py's job.
PERMISSIONS: dict[str, frozenset] = {k: frozenset(v) for k, v in {
    # Reading place-bound health records (people, cases, contacts, tests, doses) within the jurisdiction.
    "health.view": {R.LEADERSHIP, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.CARE_TEAM, R.LAB, R.VACCINATOR,
                    R.SYSADMIN},
    # People's records: create, edit, import lists, merge. Leadership reads only; care teams, labs and vaccinators
    # change only their own records (checks, samples, doses).
    "people.edit": _HEALTH_STAFF,
    # Register an infected person (F0), alone or by a line-list import.
    "cases.register": _HEALTH_STAFF,
    # Monitoring checks, follow-ups, alerts, medicine and support, transfer and release of a registered case;
    # contact tracing and quarantine follow-up (contacts).
    "cases.follow_up": _HEALTH_STAFF | {R.CARE_TEAM},
    "testing.edit": _HEALTH_STAFF | {R.LAB},
    "vaccination.edit": _HEALTH_STAFF | {R.VACCINATOR},
    # Province-wide reference data: rule sets, criteria versions, product schedules, directives.
    "rules.edit": {R.HEALTH_DEPT, R.SYSADMIN},
    "audit.view": {R.SYSADMIN},
    # User management (accounts.views_admin, /api/users/): the Department of Health within its province.
    "users.manage": {R.HEALTH_DEPT, R.SYSADMIN},
    # Django's admin at /quantri/ (users and reference data).
    "admin.enter": {R.SYSADMIN},
}.items()}


def allowed(action: str) -> frozenset:
    """The roles that may do `action` (a KeyError for an unknown action: a typo must not open a door)."""
    return PERMISSIONS[action]


def can(user, action: str) -> bool:
    return bool(user and user.is_authenticated and user.has_role(PERMISSIONS[action]))


# The sets views and API permissions name (see PERMISSIONS for what each covers).
HEALTH_READERS = allowed("health.view")
PERSON_EDITORS = allowed("people.edit")
CASE_REGISTRARS = allowed("cases.register")
CLINICAL_EDITORS = allowed("cases.follow_up")
LAB_EDITORS = allowed("testing.edit")
VACCINATION_EDITORS = allowed("vaccination.edit")
RULE_EDITORS = allowed("rules.edit")
AUDIT_READERS = allowed("audit.view")
USER_MANAGERS = allowed("users.manage")
ADMIN_USERS = allowed("admin.enter")
