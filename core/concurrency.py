"""Concurrent edits never silently overwrite each other.

An edit carries the version it was started from; the save is a conditional UPDATE on that version.
When another edit got in first, EditConflict says which fields changed in between and their current values.
"""
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone


@dataclass
class FieldChange:
    field: str
    current: object
    submitted: object


class EditConflict(Exception):
    def __init__(self, current, changes: list[FieldChange]):
        self.current = current
        self.changes = changes
        super().__init__(
            "Hồ sơ đã được người khác sửa trong lúc bạn đang sửa / The record was changed by someone else meanwhile: "
            + ", ".join(c.field for c in changes)
        )


def touched(model) -> dict:
    """{"updated_at": now} for a model that has the column, to add to a bulk `QuerySet.update()` (which skips
    `auto_now`): every write moves `updated_at`, so sync clients (the field app, `?updated_since=`) see it."""
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        return {"updated_at": timezone.now()}
    return {}


def update_versioned(instance, *, expected_version: int, changes: dict) -> None:
    """Write `changes` only if the row is still at `expected_version`; bump the version.

    `QuerySet.update()` skips `auto_now`, so `updated_at` is set here: sync clients ask for `?updated_since=`.
    """
    model = type(instance)
    stamp = {}
    if "updated_at" not in changes and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        stamp["updated_at"] = timezone.now()
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        **changes, **stamp, version=F("version") + 1
    )
    if updated != 1:
        current = model.objects.get(pk=instance.pk)
        diffs = [
            FieldChange(name, getattr(current, name), value)
            for name, value in changes.items()
            if getattr(current, name) != value
        ]
        raise EditConflict(current, diffs)
    for name, value in {**changes, **stamp}.items():
        setattr(instance, name, value)
    instance.version = expected_version + 1
