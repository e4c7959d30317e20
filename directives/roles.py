"""Who may do what with directives and tasks (sets of accounts.roles.Role values)."""
from accounts.roles import R

# Register and confirm directives: the Steering Committee's standing office (Department of Health) and admins.
DIRECTIVE_EDITORS = frozenset({R.HEALTH_DEPT, R.SYSADMIN})
# Read directives and tasks (agency officers and district staff: only their own agency's tasks).
DIRECTIVE_READERS = frozenset({R.LEADERSHIP, R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.AGENCY_OFFICER, R.SYSADMIN})
# See every agency's tasks and the scorecard.
ALL_TASKS_READERS = frozenset({R.LEADERSHIP, R.HEALTH_DEPT, R.SYSADMIN})
# Record progress on a task: the assigned agency's officers (checked per assignment in services).
PROGRESS_REPORTERS = frozenset({R.HEALTH_DEPT, R.DISTRICT_HEALTH, R.AGENCY_OFFICER, R.SYSADMIN})
