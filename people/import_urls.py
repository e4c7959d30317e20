"""People import pages. The lead includes these in people/urls.py: `path("nhap/", include("people.import_urls"))`
would nest the namespace, so instead add `*import_urls.urlpatterns` to people.urls.urlpatterns."""
from django.urls import path

from . import import_views

urlpatterns = [
    path("nhap/", import_views.person_import, name="import"),
]
