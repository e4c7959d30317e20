"""REST API routes of the facilities app, mounted under /api/."""
from django.urls import path

from .api import BedCountsView

urlpatterns = [
    path("facilities/beds/", BedCountsView.as_view(), name="facility-beds"),
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md).
UI_WRITES = {
    "facilities:beds": "facility-beds",
}
