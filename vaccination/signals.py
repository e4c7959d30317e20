"""Signals the vaccination app sends, for apps above it (supplies) that react to care entries
(docs/architecture.md)."""
from django.dispatch import Signal

# Sent by services.record_injection inside its transaction, after the Injection row and its audit rows are written.
# Keyword arguments: by (the user), injection (vaccination.Injection). Receivers never refuse care.
dose_recorded = Signal()
