"""Django admin (/quantri/): facilities and teams, edited here with an audit row; bed counts shown read-only (they are
kept on the beds page, facilities.services.set_bed_capacities)."""
from django.contrib import admin

from core.admin_site import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import BedCapacity, Facility, Team


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


@admin.register(BedCapacity)
class BedCapacityAdmin(ReadOnlyModelAdmin):
    list_display = ["facility", "bed_type", "total"]
    list_filter = ["bed_type"]
    list_select_related = ["facility"]
    search_fields = ["facility__name"]
