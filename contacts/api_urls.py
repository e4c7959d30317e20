"""REST API routes of the contacts app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ArrivalViewSet, ChainView, ContactViewSet, OutbreakViewSet

router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("outbreaks", OutbreakViewSet, basename="outbreak")
router.register("arrivals", ArrivalViewSet, basename="arrival")
urlpatterns = router.urls + [
    path("chains/<int:case_pk>/", ChainView.as_view(), name="contacts-chain"),
]

# Every POST of the contact-tracing pages and the API route making the same write (tests/core/test_api_writes.py;
# docs/api.md).
UI_WRITES = {
    "contacts:case": "contact-list",  # POST /api/contacts/ (a new person first through POST /api/people/)
    "contacts:link_case": "contact-link-cases",
    "contacts:edit": "contact-detail",  # PATCH
    "contacts:add_check": "contact-follow-ups",
    "contacts:convert": "contact-convert",
    "contacts:open_case_from_test": "contact-open-case-from-test",
    "contacts:outbreaks": "outbreak-list",  # POST /api/outbreaks/
    # The outbreak page's three actions: add a case (outbreak-cases), a vector-control action
    # (outbreak-vector-actions), close (outbreak-close).
    "contacts:outbreak": "outbreak-cases",
    # The arrivals page records an arrival (arrival-list) or, with action=check, a day's follow-up (arrival-checks).
    "contacts:arrivals": "arrival-list",
    "contacts:public_declaration": "exempt: the public no-login health declaration (rate-limited per address, no "
                                   "personal data shown back); staff record the same arrival with arrival-list",
}
