"""REST API routes of the people app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import PersonViewSet, RehomingMoveViewSet, RehomingRunViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
router.register("rehoming/runs", RehomingRunViewSet, basename="rehoming-run")
router.register("rehoming/moves", RehomingMoveViewSet, basename="rehoming-move")
urlpatterns = router.urls

# Every POST of the registry pages and the API route making the same write (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "people:create": "person-list",  # POST /api/people/ (409 with the possible duplicates unless confirmed)
    "people:edit": "person-detail",  # PUT/PATCH with version
    "people:duplicates": "person-merge",
    "people:import": "person-import-people",
    "people:rehoming_runs": "rehoming-run-list",  # POST starts a run
    "people:rehoming_undo": "rehoming-run-undo",
    "people:rehoming_review": "rehoming-move-decide",
}
