"""Django admin (/quantri/): the deadline and retention rules are reference data with effective dates, shown
read-only (a new version is added on the data-protection pages, which keep the versions consistent)."""
from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import DeadlineRule, RetentionRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ReadOnlyModelAdmin):
    list_display = ["kind", "days", "effective_from", "source"]
    list_filter = ["kind"]


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadOnlyModelAdmin):
    list_display = ["record_type", "date_field", "years", "action", "effective_from"]
    list_filter = ["action"]
