"""REST API routes of the reports app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import SituationReportViewSet

router = SimpleRouter()
router.register("situation-reports", SituationReportViewSet, basename="situation-report")
urlpatterns = router.urls
