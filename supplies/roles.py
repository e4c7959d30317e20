"""Who reads stock, who runs which store, who approves allocations (see docs/supplies.md)."""
from accounts.roles import HEALTH_READERS
from accounts.roles import Role as R

from .models import StoreKind as K

SUPPLY_READERS = HEALTH_READERS
# A store manager is a user whose role runs that kind of store and whose jurisdiction contains the store's unit.
_PROVINCE = {R.HEALTH_DEPT, R.SYSADMIN}
MANAGERS_BY_KIND = {
    K.PROVINCIAL_WAREHOUSE: frozenset(_PROVINCE),
    K.REGIONAL_CENTRE: frozenset(_PROVINCE | {R.REGIONAL_HEALTH, R.DISTRICT_HEALTH}),
    K.TREATMENT_FACILITY: frozenset(_PROVINCE | {R.REGIONAL_HEALTH, R.DISTRICT_HEALTH}),
    K.COMMUNE_STATION: frozenset(_PROVINCE | {R.REGIONAL_HEALTH, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH}),
    K.VACCINATION_SITE: frozenset(_PROVINCE | {R.REGIONAL_HEALTH, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.VACCINATOR}),
    K.MOBILE_TEAM: frozenset(_PROVINCE | {R.REGIONAL_HEALTH, R.DISTRICT_HEALTH, R.COMMUNE_HEALTH, R.CARE_TEAM}),
}
SUPPLY_EDITORS = frozenset().union(*MANAGERS_BY_KIND.values())
# Allocation decisions and the province's catalogue.
ALLOCATION_APPROVERS = frozenset(_PROVINCE)
