"""REST API routes of the vaccination app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
                  CampaignCreateView,
                  DoseImportDetailView,
                  DoseImportRetryView,
                  DoseImportView,
                  FhirPatientView,
                  InjectionViewSet,
                  ProductViewSet,
                  ReconciliationImportView,
                  RevokeCertificatesView,
                  ScheduleUpdateView,
                  VisitViewSet,
)

router = SimpleRouter()
router.register("vaccination/injections", InjectionViewSet, basename="injection")
router.register("vaccination/products", ProductViewSet, basename="vaccine-product")
router.register("vaccination/visits", VisitViewSet, basename="vaccination-visit")
urlpatterns = router.urls + [
    path("fhir/Patient/<int:person_pk>/", FhirPatientView.as_view(), name="fhir-patient"),
    path("vaccination/people/<int:person_pk>/certificates/revoke/", RevokeCertificatesView.as_view(),
         name="vaccination-certificates-revoke"),
    path("vaccination/schedules/<int:pk>/", ScheduleUpdateView.as_view(), name="vaccination-schedule-update"),
    path("vaccination/imports/", DoseImportView.as_view(), name="vaccination-import-create"),
    path("vaccination/imports/<int:pk>/", DoseImportDetailView.as_view(), name="vaccination-import-detail"),
    path("vaccination/imports/<int:pk>/retry/", DoseImportRetryView.as_view(), name="vaccination-import-retry"),
    path("vaccination/campaigns/", CampaignCreateView.as_view(), name="vaccination-campaign-create"),
    path("vaccination/reconciliations/", ReconciliationImportView.as_view(), name="vaccination-reconciliation-import"),
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "vaccination:record": "injection-list",  # POST /api/vaccination/injections/ (409 needs override, 422 refused)
    "vaccination:certificate_revoke": "vaccination-certificates-revoke",
    "vaccination:schedule_edit": "vaccination-schedule-update",
    "vaccination:imports": "vaccination-import-create",
    "vaccination:import_retry": "vaccination-import-retry",
    "vaccination:campaigns": "vaccination-campaign-create",
    "vaccination:door_to_door": "vaccination-visit-list",  # POST /api/vaccination/visits/
    "vaccination:reconciliation": "vaccination-reconciliation-import",
}
