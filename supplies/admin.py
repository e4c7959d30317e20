"""Django admin (/quantri/): the supplies catalogue, lots and stores, edited here with an audit row.

Stock itself never changes here: the ledger (Movement) and the balances move only through supplies.services.
"""
from django.contrib import admin

from accounts.admin_site import AuditedModelAdmin

from .models import Item, Lot, Store


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ["name", "strength", "category", "unit", "pack_size", "disease", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["disease"]
    search_fields = ["code", "name"]
    raw_id_fields = ["vaccine_product"]


@admin.register(Lot)
class LotAdmin(AuditedModelAdmin):
    list_display = ["item", "code", "expires_on", "manufacturer"]
    list_select_related = ["item"]
    search_fields = ["code", "item__name"]
    raw_id_fields = ["item"]

    def has_delete_permission(self, request, obj=None):
        return False  # movements refer to lots: a lot with a history is never removed


@admin.register(Store)
class StoreAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "unit", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["unit", "parent"]
    search_fields = ["name"]
    raw_id_fields = ["unit", "facility", "team", "parent"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the ledger keeps every store it ever named
