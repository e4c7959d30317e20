"""Django admin (/quantri/): administrative units are official reference data (loaded by load_admin_units), shown
read-only; villages and population estimates are shown read-only too (they change through their imports and pages,
which check jurisdiction and keep the population versions consistent)."""
from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import AdministrativeUnit, PopulationEstimate, UnitCorrespondence, Village


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "code", "level", "structure", "path"]
    list_filter = ["structure", "level"]
    search_fields = ["name", "code", "path"]


@admin.register(UnitCorrespondence)
class UnitCorrespondenceAdmin(ReadOnlyModelAdmin):
    list_display = ["old_unit", "new_unit"]
    list_select_related = ["old_unit", "new_unit"]
    search_fields = ["old_unit__name", "new_unit__name"]


@admin.register(Village)
class VillageAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "commune"]
    list_select_related = ["commune"]
    search_fields = ["name", "commune__name"]


@admin.register(PopulationEstimate)
class PopulationEstimateAdmin(ReadOnlyModelAdmin):
    list_display = ["unit", "year", "age_band", "population"]
    list_filter = ["year", "age_band"]
    list_select_related = ["unit"]
    search_fields = ["unit__name", "unit__code"]
