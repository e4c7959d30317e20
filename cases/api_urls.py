"""REST API routes of the cases app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import AlertViewSet, CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("alerts", AlertViewSet, basename="alert")
urlpatterns = router.urls

# Every POST of the case pages and the API route making the same write (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "cases:create": "case-list",  # POST /api/cases/
    "cases:edit": "case-detail",  # PATCH /api/cases/{id}/
    # The investigation page posts the answers, or (action=classify) the classification: case-classify.
    "cases:investigation": "case-investigation",
    "cases:add_check": "case-checks",
    "cases:transfer": "case-transfer",
    "cases:dispense": "case-dispensings",
    "cases:support": "case-supports",
    "cases:release": "case-release",
    "cases:admit": "case-admissions",
    "cases:discharge": "case-discharge",
    "cases:acknowledge": "alert-acknowledge",
    "cases:certificate_revoke": "case-revoke-certificate",
    "cases:self_report_link": "case-self-report-link",
    "cases:import": "case-import-line-list",
    "cases:self_report": "exempt: the patient's own no-login page, opened with the private link the care team "
                         "handed over; no signed-in user writes there (staff record the same check with case-checks)",
}
