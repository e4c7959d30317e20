"""Who may change the geo app's reference data (villages, population denominators) within his jurisdiction."""
from accounts.roles import Role

# Commune, district and provincial health staff maintain villages and denominators of their own area.
GEO_EDITORS = frozenset({Role.HEALTH_DEPT, Role.DISTRICT_HEALTH, Role.COMMUNE_HEALTH, Role.SYSADMIN})
