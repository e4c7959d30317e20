"""Who may do what with situation reports and feedback."""
from accounts.roles import R

# Read and download the daily reports; enter outside figures.
REPORT_READERS = frozenset({R.LEADERSHIP, R.HEALTH_DEPT, R.SYSADMIN})
REPORT_EDITORS = frozenset({R.HEALTH_DEPT, R.SYSADMIN})
# Triage citizens' feedback (the Steering Committee's standing office).
FEEDBACK_TRIAGE = frozenset({R.HEALTH_DEPT, R.LEADERSHIP, R.SYSADMIN})
# Answer feedback: triage staff and the agency it was passed to.
FEEDBACK_ANSWERERS = frozenset({R.HEALTH_DEPT, R.AGENCY_OFFICER, R.DISTRICT_HEALTH, R.SYSADMIN})
