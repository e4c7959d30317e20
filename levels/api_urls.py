"""REST API routes of the levels app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AssessmentViewSet, AssessSlashView, AssessView, DecisionViewSet, LevelMapView

router = SimpleRouter()
router.register("levels/assessments", AssessmentViewSet, basename="level-assessment")
router.register("levels/decisions", DecisionViewSet, basename="level-decision")
urlpatterns = [
    path("levels/assess", AssessView.as_view(), name="levels-assess"),
    path("levels/assess/", AssessSlashView.as_view()),
    path("levels/map/", LevelMapView.as_view(), name="levels-map"),
    *router.urls,
]
