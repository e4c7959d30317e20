"""Django admin (/quantri/): vaccine products (edited here, audited); schedules and dose policies are versioned with
effective dates and change on the vaccination pages, so they are shown read-only."""
from django.contrib import admin

from accounts.admin_site import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import DosePolicy, Product, Schedule


@admin.register(Product)
class ProductAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "manufacturer", "platform", "approved_on", "confirmed"]
    list_filter = ["platform", "confirmed"]
    search_fields = ["name", "code", "manufacturer"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyModelAdmin):
    list_display = ["product", "valid_from", "valid_to", "age_min", "age_below", "primary_doses", "source_document"]
    list_select_related = ["product"]
    list_filter = ["product"]


@admin.register(DosePolicy)
class DosePolicyAdmin(ReadOnlyModelAdmin):
    list_display = ["valid_from", "valid_to", "booster_age_min", "source_document"]
