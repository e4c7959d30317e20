"""The admin site and its ModelAdmin bases live in `core.admin_site` (geo, a platform app, registers its models with
them). Re-exported here for the apps above the registry that name `accounts.admin_site`; new code imports core's."""
from core.admin_site import AdminConfig, AdminSite, AuditedModelAdmin, ReadOnlyModelAdmin, RoleAdminMixin  # noqa: F401
