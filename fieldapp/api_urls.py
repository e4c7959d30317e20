"""REST API routes of the field app, mounted under /api/."""
from django.urls import path
from django.views.decorators.gzip import gzip_page

from .api import SessionView, UploadView, WorklistView

urlpatterns = [
    path("field/session/", gzip_page(SessionView.as_view()), name="field-session"),
    path("field/worklists/<str:name>/", gzip_page(WorklistView.as_view()), name="field-worklist"),
    path("field/upload/", gzip_page(UploadView.as_view()), name="field-upload"),
]
