"""Django admin (/quantri/) for users and agencies. Users are changed on the user-management pages (through
accounts.services, audited); here they are listed and looked up."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_site import AuditedModelAdmin, ReadOnlyModelAdmin
from .models import Agency, ApiToken, User


@admin.register(User)
class UserAdmin(ReadOnlyModelAdmin):
    list_display = ["username", "full_name", "role", "unit", "region", "agency", "is_active", "last_login", "manage"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email"]
    list_select_related = ["unit", "region", "agency"]
    exclude = ["password", "user_permissions", "groups"]

    @admin.display(description=_("Quản lý"))
    def manage(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("accounts:user_detail", args=[obj.pk]), _("Sửa, khóa, đặt lại"))


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "short_name", "kind", "unit"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = []
    raw_id_fields = ["unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
    exclude = ["digest"]
