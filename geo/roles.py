"""Who may change the geo app's reference data (villages, population denominators) within his jurisdiction."""
from core.roles import allowed

# Commune, district and provincial health staff maintain villages and denominators of their own area.
GEO_EDITORS = allowed("geo.edit")
