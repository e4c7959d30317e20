"""The roles table lives in `core.roles` (the platform layer: core, audit and geo check roles too, and may not import
accounts). This module re-exports it so that the apps above the registry may keep naming `accounts.roles`; new code
imports `core.roles`."""
from core.roles import *  # noqa: F401,F403
from core.roles import PERMISSIONS, R, Role, allowed, can  # noqa: F401  (named explicitly for readers and tools)
