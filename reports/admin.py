"""Django admin (/quantri/): the report's letterhead, distribution list, signer and cut time (ReportSetup): settings
with no page of their own, edited here by the system administrator with an audit row."""
from django.contrib import admin

from core.admin_site import AuditedModelAdmin

from .models import ReportSetup


@admin.register(ReportSetup)
class ReportSetupAdmin(AuditedModelAdmin):
    list_display = ["issuer", "symbol", "place", "signer", "cut_time"]
