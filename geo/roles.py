"""Who may change the geo app's reference data (villages, population denominators) within his jurisdiction."""
from accounts.roles import allowed

# Commune, district and provincial health staff maintain villages and denominators of their own area.
GEO_EDITORS = allowed("geo.edit")
# Health regions are province-wide reference data: the Department of Health (and administrators) define them.
REGION_EDITORS = allowed("rules.edit")
