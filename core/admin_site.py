"""The Django admin at /quantri/ for system administrators only, and only after the second factor."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    site_header = _("phongdich — quản trị dữ liệu tham chiếu")
    site_title = _("phongdich quản trị")
    index_title = _("Người dùng và dữ liệu tham chiếu")

    def has_permission(self, request):
        # Not is_staff alone: the role decides (core.roles), and a password without the second factor never
        # enters, whatever the middleware in front of it does.
        from .roles import can

        user = request.user
        return bool(user.is_active and user.is_authenticated and can(user, "admin.enter") and user.is_verified())


class AdminConfig(DjangoAdminConfig):
    default_site = "core.admin_site.AdminSite"


class RoleAdminMixin:
    """Model permissions follow the role (core.roles "admin.enter"), not Django's per-model permission rows:
    a system administrator who is not a superuser manages the same reference data."""

    def _admin(self, request) -> bool:
        from .roles import can

        return can(request.user, "admin.enter")

    def has_module_permission(self, request):
        return self._admin(request)

    def has_view_permission(self, request, obj=None):
        return self._admin(request)

    def has_add_permission(self, request):
        return self._admin(request)

    def has_change_permission(self, request, obj=None):
        return self._admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._admin(request)


class AuditedModelAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Reference data edited here leaves the same audit row a service writes (the admin's save runs in one
    transaction with it)."""

    def save_model(self, request, obj, form, change):
        from .auditing import record

        before = {f: form.initial.get(f) for f in form.changed_data} if change else {}
        super().save_model(request, obj, form, change)
        changes = {f: (before.get(f), form.cleaned_data.get(f)) for f in form.changed_data}
        record(actor=request.user, action="update" if change else "create", obj=obj, changes=changes, note="django admin")

    def delete_model(self, request, obj):
        from .auditing import record

        record(actor=request.user, action="delete", obj=obj, note="django admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyModelAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Shown, never changed here: the data has its own import or versioned edit path (which keeps versions and
    effective dates consistent)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
