"""Write audit events. Called by the domain services in the same transaction as the change they record."""
from django.db import models

from core.context import current_ip, current_user_agent

from .models import AuditEvent


def _label(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:200]


def record(*, actor, action: str, obj=None, person_id=None, changes=None, records=None, note: str = "",
           target_label: str = "", actor_label: str = "") -> AuditEvent:
    ev = event(actor=actor, action=action, obj=obj, person_id=person_id, changes=changes, records=records, note=note,
               target_label=target_label, actor_label=actor_label)
    ev.save(force_insert=True)
    return ev


def event(*, actor, action: str, obj=None, person_id=None, changes=None, records=None, note: str = "",
          target_label: str = "", actor_label: str = "") -> AuditEvent:
    """The audit row record() writes, unsaved: for a service that inserts it in the same SQL statement as the change
    (cases.services.record_check on PostgreSQL). Same arguments as record()."""
    target_type, target_id, label = _label(obj)
    if person_id is None and obj is not None:
        person_id = _person_id_of(obj)
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label or label,
        person_id=person_id,
        changes=_jsonable(changes),
        records=records,
        note=note,
        ip=current_ip.get(),
        user_agent=current_user_agent.get(),
    )


def _person_id_of(obj):
    if obj._meta.label_lower == "people.person":
        return obj.pk
    return getattr(obj, "person_id", None)


def _jsonable(changes):
    if not changes:
        return None
    out = {}
    for key, (old, new) in changes.items():
        out[key] = [_plain(old), _plain(new)]
    return out


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def diff(instance, data: dict) -> dict:
    """{field: (old, new)} for the values in `data` that differ from the instance."""
    return {k: (getattr(instance, k), v) for k, v in data.items() if getattr(instance, k) != v}


def insert_from_select(*, actor, action: str, target_type: str, source_sql: str, params=(), note: str = "") -> int:
    """One audit row per row of `source_sql`, written by one INSERT … SELECT (bulk changes of many records, e.g. the
    re-homing of a province's people: 580,000 rows would take minutes as objects).

    `source_sql` selects the columns `target_id` (text), `target_label`, `person_id` and `changes` (JSON text shaped as
    record()'s: {"field": [old, new]}). Returns the number of rows written."""
    from django.db import connection
    from django.utils import timezone

    user = actor if getattr(actor, "pk", None) else None
    label = user.get_username() if user else "system"
    changes = "CAST(s.changes AS jsonb)" if connection.vendor == "postgresql" else "s.changes"
    table = AuditEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (at, actor_id, actor_label, action, target_type, target_id, target_label, person_id, "
        f"changes, note, ip, user_agent) SELECT %s, %s, %s, %s, %s, s.target_id, s.target_label, s.person_id, {changes}, "
        f"%s, %s, %s FROM ({source_sql}) s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [timezone.now(), user.pk if user else None, label[:150], action, target_type, note,
                          current_ip.get(), (current_user_agent.get() or "")[:300], *params])
        return cur.rowcount
