"""Roles and what each may do. Views and API permissions name these sets, never raw role strings."""
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
# Roles that see place-bound health records (people, cases, …) within their jurisdiction.
HEALTH_READERS = frozenset({R.LEADERSHIP, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.CARE_TEAM, R.LAB, R.VACCINATOR, R.SYSADMIN})
# Roles that may create and edit people's records. Leadership reads only.
PERSON_EDITORS = frozenset({R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.CARE_TEAM, R.LAB, R.VACCINATOR, R.SYSADMIN})
CLINICAL_EDITORS = frozenset({R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.CARE_TEAM, R.SYSADMIN})
LAB_EDITORS = frozenset({R.LAB, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.SYSADMIN})
VACCINATION_EDITORS = frozenset({R.VACCINATOR, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.SYSADMIN})
# Who may change province-wide reference data: rule sets, criteria versions, product schedules.
RULE_EDITORS = frozenset({R.HEALTH_DEPT, R.SYSADMIN})
AUDIT_READERS = frozenset({R.SYSADMIN})
# Who sees the scheduled jobs' runs (core:jobs): the system administrators and the Department of Health.
JOB_READERS = frozenset({R.SYSADMIN, R.HEALTH_DEPT})
