"""Signals the testing app sends, for apps above it (supplies) that react to care entries (docs/architecture.md)."""
from django.dispatch import Signal

# Sent by services.record_test inside its transaction, after the Test row and its audit row are written.
# Keyword arguments: by (the user), test (testing.Test). Receivers never refuse care.
test_recorded = Signal()
