"""Signals the cases app sends, for apps above it (supplies) that react to care entries: the care layer's order
(docs/architecture.md) lets supplies read cases, never the reverse, so cases announces and supplies listens."""
from django.dispatch import Signal

# Sent by services.dispense inside its transaction, after the Dispensing row and its audit row are written.
# Keyword arguments: by (the user), dispensing (cases.Dispensing), case (cases.Case). Receivers never refuse care.
medicine_dispensed = Signal()
