"""REST API routes of the directives app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AssignmentViewSet, DirectiveConfirmView, DirectiveCreateView, DirectiveViewSet

router = SimpleRouter()
router.register("directives", DirectiveViewSet, basename="directive")
router.register("directive-tasks", AssignmentViewSet, basename="directive-task")
urlpatterns = [
    path("directives/new/", DirectiveCreateView.as_view(), name="directive-create"),
    path("directives/<int:pk>/confirm/", DirectiveConfirmView.as_view(), name="directive-confirm"),
    *router.urls,
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "directives:new": "directive-create",
    "directives:review": "directive-confirm",
    "directives:assignment": "directive-task-progress",
}
