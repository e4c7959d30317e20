"""REST API routes of the people app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import PersonViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
urlpatterns = router.urls
