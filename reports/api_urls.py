"""REST API routes of the reports app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .api import SituationReportViewSet

router = SimpleRouter()
router.register("situation-reports", SituationReportViewSet, basename="situation-report")
urlpatterns = [
    path("situation-reports/generate/", api.GenerateReportView.as_view(), name="situation-report-generate"),
    path("outside-figures/", api.OutsideFiguresView.as_view(), name="outside-figures"),
    path("public/feedback/", api.PublicFeedbackView.as_view(), name="public-feedback"),
    path("feedback/<int:pk>/triage/", api.FeedbackTriageView.as_view(), name="feedback-triage"),
    path("circular54-reports/generate/", api.Circular54GenerateView.as_view(), name="circular54-generate"),
    *router.urls,
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "reports:generate": "situation-report-generate",
    "reports:figures": "outside-figures",
    "reports:feedback_public": "public-feedback",  # public, rate-limited per client address like the page
    "reports:feedback_detail": "feedback-triage",
    "reports:tt54_generate": "circular54-generate",
}
