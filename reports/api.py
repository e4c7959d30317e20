"""REST API: the archive of daily situation reports (figures as JSON; files via the download URLs)."""
from django.urls import reverse
from rest_framework import serializers

from core.api import ScopedReadOnlyViewSet

from .models import SituationReport
from .roles import REPORT_READERS


class SituationReportSerializer(serializers.ModelSerializer):
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = SituationReport
        fields = ["id", "day", "number", "cut_at", "data", "downloads", "created_at"]

    def get_downloads(self, obj) -> dict:
        return {fmt: reverse("reports:download", args=[obj.pk, fmt]) for fmt in ("docx", "pdf", "xlsx")}


class SituationReportViewSet(ScopedReadOnlyViewSet):
    queryset = SituationReport.objects.all()
    serializer_class = SituationReportSerializer
    allowed_roles = REPORT_READERS
