"""REST API routes of the diseases app, mounted under /api/."""
from django.urls import path

from .api import PackLoadView, RuleVersionCreateView

urlpatterns = [
    path("diseases/rule-versions/", RuleVersionCreateView.as_view(), name="disease-rule-version-create"),
    path("diseases/packs/", PackLoadView.as_view(), name="disease-pack-load"),
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "diseases:add": "disease-rule-version-create",
    "diseases:pack_load": "disease-pack-load",
}
