"""REST API routes of the vaccination app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import FhirPatientView, InjectionViewSet, ProductViewSet, VisitViewSet

router = SimpleRouter()
router.register("vaccination/injections", InjectionViewSet, basename="injection")
router.register("vaccination/products", ProductViewSet, basename="vaccine-product")
router.register("vaccination/visits", VisitViewSet, basename="vaccination-visit")
urlpatterns = router.urls + [
    path("fhir/Patient/<int:person_pk>/", FhirPatientView.as_view(), name="fhir-patient"),
]
