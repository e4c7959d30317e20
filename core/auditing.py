"""The audit trail as the platform's lowest app sees it.

core's own writers (the import framework, batch retries, audited API reads, the admin site) must leave an audit row,
but the `audit` app sits above core in the layer order (docs/architecture.md): core may not import it. So core
writes through `record()` here, and the audit app registers its writer at start-up (`audit.apps.AuditConfig.ready`).
Every app above core calls `audit.services.record` directly.
"""
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_recorder: Callable | None = None


def register_recorder(fn: Callable) -> None:
    """Called once by the audit app: `fn` takes audit.services.record's keyword arguments."""
    global _recorder
    _recorder = fn


def record(**kwargs):
    """Write one audit row (same keyword arguments as audit.services.record), in the caller's transaction."""
    if _recorder is None:
        raise ImproperlyConfigured("No audit recorder: the `audit` app must be in INSTALLED_APPS (it registers one).")
    return _recorder(**kwargs)


def record_read(*, by, obj, person_id=None, note: str = "", records=None, actor_label: str = ""):
    """The one way to audit a read of personal data (a record opened, a certificate checked, a trace shown): a
    "view" row naming the record (and its person, found from the record when not given). `by` is the user, or None
    for a public page (then `actor_label`, e.g. "public"). Views, the API's AuditedRetrieveMixin and public pages
    call this; nothing writes a "view" row another way."""
    return record(actor=by, action="view", obj=obj, person_id=person_id, note=note, records=records,
                  actor_label=actor_label)
