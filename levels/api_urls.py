"""REST API routes of the levels app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .api import AssessmentViewSet, AssessSlashView, AssessView, DecisionViewSet, LevelMapView

router = SimpleRouter()
router.register("levels/assessments", AssessmentViewSet, basename="level-assessment")
router.register("levels/decisions", DecisionViewSet, basename="level-decision")
urlpatterns = [
    path("levels/assess", AssessView.as_view(), name="levels-assess"),
    path("levels/assess/", AssessSlashView.as_view()),
    path("levels/map/", LevelMapView.as_view(), name="levels-map"),
    path("levels/run/", api.RunAssessmentView.as_view(), name="levels-run"),
    path("levels/propose-week/", api.ProposeWeekView.as_view(), name="levels-propose-week"),
    path("levels/decide-week/", api.DecideWeekView.as_view(), name="levels-decide-week"),
    path("levels/units/<int:unit_id>/<str:week>/propose/", api.ProposeView.as_view(), name="levels-propose"),
    path("levels/units/<int:unit_id>/<str:week>/decide/", api.DecideView.as_view(), name="levels-decide"),
    path("levels/units/<int:unit_id>/<str:week>/publish/", api.PublishView.as_view(), name="levels-publish"),
    path("levels/criteria-versions/<int:pk>/threshold/", api.ThresholdView.as_view(), name="levels-threshold"),
    path("levels/criteria-versions/<int:pk>/adapt/", api.AdaptVersionView.as_view(), name="levels-adapt"),
    path("levels/measures/", api.MeasureSaveView.as_view(), name="levels-measure-save"),
    path("levels/entries/", api.EntryView.as_view(), name="levels-entry"),
    path("levels/entries/import/", api.EntryImportView.as_view(), name="levels-entry-import"),
    *router.urls,
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md). A page with several
# actions maps to one route here; the others are: levels:decide with action=publish → levels-publish;
# levels:version's "adapt" → levels-adapt; levels:entry's file upload → levels-entry-import.
UI_WRITES = {
    "levels:run": "levels-run",
    "levels:propose_week": "levels-propose-week",
    "levels:decide_week": "levels-decide-week",
    "levels:propose": "levels-propose",
    "levels:decide": "levels-decide",
    "levels:publish": "levels-publish",
    "levels:calculator": "levels-assess",  # stores nothing: the same calculation as the page
    "levels:version": "levels-threshold",
    "levels:measures": "levels-measure-save",
    "levels:entry": "levels-entry",
}
