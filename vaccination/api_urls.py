"""REST API routes of the vaccination app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import InjectionViewSet, ProductViewSet

router = SimpleRouter()
router.register("vaccination/injections", InjectionViewSet, basename="injection")
router.register("vaccination/products", ProductViewSet, basename="vaccine-product")
urlpatterns = router.urls
