"""REST API routes of the testing app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import PoolViewSet, TestViewSet

router = SimpleRouter()
router.register("tests", TestViewSet, basename="test")
router.register("pools", PoolViewSet, basename="pool")
urlpatterns = router.urls
