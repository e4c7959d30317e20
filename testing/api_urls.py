"""REST API routes of the testing app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import CampaignViewSet, LineageAlertViewSet, PoolViewSet, TestViewSet

router = SimpleRouter()
router.register("tests", TestViewSet, basename="test")
router.register("pools", PoolViewSet, basename="pool")
router.register("screening-campaigns", CampaignViewSet, basename="campaign")
router.register("lineage-alerts", LineageAlertViewSet, basename="lineage-alert")
urlpatterns = router.urls

# Every POST of the testing pages and the API route making the same write (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "testing:create": "test-list",  # POST /api/tests/
    "testing:detail": "test-result",
    # The sequencing form requests sequencing (test-sequencing) or, with a lineage, records it (test-lineage).
    "testing:sequencing": "test-sequencing",
    "testing:pools": "pool-list",  # POST /api/pools/
    # The pool page's actions: add (pool-members), send (pool-send), result (pool-result), member_test (pool-member-test).
    "testing:pool": "pool-members",
    "testing:import": "test-import-results",
    "testing:campaigns": "campaign-list",
    "testing:campaign": "campaign-targets",
    "testing:acknowledge_alert": "lineage-alert-acknowledge",
}
