"""Who handles personal-data protection: the system administrators and the Department of Health (the controller's
data-protection staff, Law 91/2025/QH15)."""
from accounts.roles import R

DP_OFFICERS = frozenset({R.SYSADMIN, R.HEALTH_DEPT})
