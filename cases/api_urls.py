"""REST API routes of the cases app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import AlertViewSet, CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("alerts", AlertViewSet, basename="alert")
urlpatterns = router.urls
