"""Who does what with epidemic levels (sets built from accounts.roles).

* The Department of Health computes and proposes (RULE_EDITORS also correct thresholds and measures).
* The People's Committee decides; its decision is recorded by leadership (the provincial steering committee).
* Health staff of a district or commune may enter criteria values for their units.
"""
from accounts.roles import allowed

PROPOSERS = allowed("levels.propose")
DECIDERS = allowed("levels.decide")
ENTRY_EDITORS = allowed("levels.enter_criteria")
