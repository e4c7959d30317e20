"""Who may do what with directives and tasks (sets of accounts.roles.Role values)."""
from accounts.roles import allowed

# Register and confirm directives: the Steering Committee's standing office (Department of Health) and admins.
DIRECTIVE_EDITORS = allowed("directives.edit")
# Read directives and tasks (agency officers and district staff: only their own agency's tasks).
DIRECTIVE_READERS = allowed("directives.view")
# See every agency's tasks and the scorecard.
ALL_TASKS_READERS = allowed("directives.view_all_tasks")
# Record progress on a task: the assigned agency's officers (checked per assignment in services).
PROGRESS_REPORTERS = allowed("directives.report_progress")
