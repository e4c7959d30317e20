"""REST API routes of the contacts app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ChainView, ContactViewSet

router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
urlpatterns = router.urls + [
    path("chains/<int:case_pk>/", ChainView.as_view(), name="contacts-chain"),
]
