"""REST API routes of the dataprotection app, mounted under /api/."""
from django.urls import path

from .api import (
                  BreachCreateView,
                  BreachNotifiedView,
                  RetentionApplyView,
                  SubjectRequestCreateView,
                  SubjectRequestDecideView,
)

urlpatterns = [
    path("data-protection/requests/", SubjectRequestCreateView.as_view(), name="dp-request-create"),
    path("data-protection/requests/<int:pk>/decision/", SubjectRequestDecideView.as_view(), name="dp-request-decide"),
    path("data-protection/breaches/", BreachCreateView.as_view(), name="dp-breach-create"),
    path("data-protection/breaches/<int:pk>/notified/", BreachNotifiedView.as_view(), name="dp-breach-notified"),
    path("data-protection/retention/apply/", RetentionApplyView.as_view(), name="dp-retention-apply"),
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "dataprotection:request_new": "dp-request-create",
    "dataprotection:request": "dp-request-decide",
    "dataprotection:breach_new": "dp-breach-create",
    "dataprotection:breach": "dp-breach-notified",
    "dataprotection:retention_apply": "dp-retention-apply",
}
