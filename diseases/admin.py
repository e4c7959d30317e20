"""Django admin (/quantri/): diseases (edited here, audited) and their rule sets (shown; a rule set changes through
its versioned page in diseases.views, which keeps effective dates from overlapping)."""
from django.contrib import admin

from core.admin_site import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import Disease, RuleSet


@admin.register(Disease)
class DiseaseAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "icd10"]
    search_fields = ["name", "code", "icd10"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyModelAdmin):
    list_display = ["disease", "kind", "name", "source_document", "valid_from", "valid_to"]
    list_filter = ["disease", "kind"]
    list_select_related = ["disease"]
    search_fields = ["name", "source_document"]
