"""REST API routes of the platform, mounted under /api/: background imports (core.batches)."""
from django.urls import path

from .api_forms import ImportBatchRetryView, ImportBatchView

urlpatterns = [
    path("import-batches/<int:pk>/", ImportBatchView.as_view(), name="import-batch"),
    path("import-batches/<int:pk>/retry/", ImportBatchRetryView.as_view(), name="import-batch-retry"),
]
