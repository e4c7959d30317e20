"""REST API routes of the accounts app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
urlpatterns = router.urls
