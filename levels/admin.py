"""Django admin (/quantri/): criteria versions and measures are versioned reference data edited on the levels pages
(levels.services keeps effective dates from overlapping); here they are shown read-only."""
from django.contrib import admin

from accounts.admin_site import ReadOnlyModelAdmin

from .models import CriteriaVersion, Measure


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "source_document", "province"]
    search_fields = ["code", "name", "source_document"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyModelAdmin):
    list_display = ["__str__", "category"]
    list_filter = ["category"]
