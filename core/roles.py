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
    # Accept a dose that raised warnings (with a written reason): vaccinators record, supervisors decide.
    "vaccination.supervise": _HEALTH_STAFF,
    # Door-to-door visits of the unvaccinated: community teams go from house to house too.
    "vaccination.visit": _HEALTH_STAFF | {R.VACCINATOR, R.CARE_TEAM},
    # Province-wide reference data: rule sets, criteria versions, product schedules, directives.
    "rules.edit": {R.HEALTH_DEPT, R.SYSADMIN},
    "audit.view": {R.SYSADMIN},
    # Villages and population denominators of the user's own area (geo).
    "geo.edit": _HEALTH_STAFF,
    # Epidemic levels: the Department of Health proposes; the People's Committee decides, its decision recorded and
    # published by leadership; health staff enter criteria values for their units.
    "levels.propose": {R.HEALTH_DEPT, R.SYSADMIN},
    "levels.decide": {R.LEADERSHIP, R.SYSADMIN},
    "levels.enter_criteria": _HEALTH_STAFF,
    # Directives and tasks: the Steering Committee's standing office (Department of Health) registers them; agency
    # officers (and district staff) read and report progress on their own agency's tasks.
    "directives.view": {R.LEADERSHIP, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.AGENCY_OFFICER, R.SYSADMIN},
    "directives.edit": {R.HEALTH_DEPT, R.SYSADMIN},
    "directives.view_all_tasks": {R.LEADERSHIP, R.HEALTH_DEPT, R.SYSADMIN},
    "directives.report_progress": {R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.AGENCY_OFFICER, R.SYSADMIN},
    # Daily situation reports and citizens' feedback.
    "reports.view": {R.LEADERSHIP, R.HEALTH_DEPT, R.SYSADMIN},
    "reports.edit": {R.HEALTH_DEPT, R.SYSADMIN},
    "feedback.triage": {R.HEALTH_DEPT, R.LEADERSHIP, R.SYSADMIN},
    "feedback.answer": {R.HEALTH_DEPT, R.AGENCY_OFFICER, R.DISTRICT_HEALTH, R.SYSADMIN},
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
# Who sees the scheduled jobs' runs (core:jobs): the system administrators and the Department of Health.
JOB_READERS = frozenset({R.SYSADMIN, R.HEALTH_DEPT})
