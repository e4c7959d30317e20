"""Django admin (/quantri/): facilities and teams, edited here with an audit row."""
from django.contrib import admin

from core.admin_site import AuditedModelAdmin

from .models import Facility, Team


@admin.register(Facility)
class FacilityAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "unit", "phone"]
    list_filter = ["kind"]
    list_select_related = ["unit"]
    search_fields = ["name", "address"]
    raw_id_fields = ["unit"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "commune", "facility", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["commune", "facility"]
    search_fields = ["name"]
    raw_id_fields = ["commune", "facility", "members"]
