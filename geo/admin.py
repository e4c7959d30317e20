"""Django admin (/quantri/): administrative units are official reference data (loaded by load_admin_units), shown
read-only."""
from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import AdministrativeUnit, UnitCorrespondence


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
