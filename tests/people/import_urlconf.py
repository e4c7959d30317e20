"""The project's URLs plus the people import pages (until people.urls includes people.import_urls)."""
from django.urls import path

from people import import_views
from phongdich.urls import urlpatterns as project_urls

urlpatterns = [path("people/nhap/", import_views.person_import, name="people-import-test"), *project_urls]
