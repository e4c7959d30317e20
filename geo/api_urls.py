"""REST API routes of the geo app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    BoundaryImportView,
    PopulationViewSet,
    RegionCreateView,
    RegionDeleteView,
    RegionUpdateView,
    UnitViewSet,
    VillageViewSet,
)

router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("villages", VillageViewSet, basename="village")
router.register("population", PopulationViewSet, basename="population")
urlpatterns = router.urls + [
    path("health-regions/", RegionCreateView.as_view(), name="health-region-create"),
    path("health-regions/<int:pk>/", RegionUpdateView.as_view(), name="health-region-update"),
    path("health-regions/<int:pk>/delete/", RegionDeleteView.as_view(), name="health-region-delete"),
    path("boundaries/import/", BoundaryImportView.as_view(), name="boundary-import"),
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "geo:village_create": "village-list",  # POST /api/villages/
    "geo:village_import": "village-import",  # POST /api/villages/import/
    "geo:population_import": "population-import",  # POST /api/population/import/
    "geo:boundary_import": "boundary-import",
    "geo:region_create": "health-region-create",
    "geo:region_edit": "health-region-update",
    "geo:region_delete": "health-region-delete",
}
