"""REST API routes of the directives app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import AssignmentViewSet, DirectiveViewSet

router = SimpleRouter()
router.register("directives", DirectiveViewSet, basename="directive")
router.register("directive-tasks", AssignmentViewSet, basename="directive-task")
urlpatterns = router.urls
