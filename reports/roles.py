"""Who may do what with situation reports and feedback."""
from accounts.roles import allowed

# Read and download the daily reports; enter outside figures.
REPORT_READERS = allowed("reports.view")
REPORT_EDITORS = allowed("reports.edit")
# Triage citizens' feedback (the Steering Committee's standing office).
FEEDBACK_TRIAGE = allowed("feedback.triage")
# Answer feedback: triage staff and the agency it was passed to.
FEEDBACK_ANSWERERS = allowed("feedback.answer")
