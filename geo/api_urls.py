"""REST API routes of the geo app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import PopulationViewSet, UnitViewSet, VillageViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("villages", VillageViewSet, basename="village")
router.register("population", PopulationViewSet, basename="population")
urlpatterns = router.urls
