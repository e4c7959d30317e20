"""Writes of the facilities register. Each runs in one transaction and writes its audit row there."""
from django.db import transaction

from audit.services import record
from core.errors import Invalid

from .models import BedCapacity, BedType


class InvalidBedCounts(Invalid):
    """Some bed counts were not whole numbers ≥ 0; `values` lists them as "facility: value"."""

    def __init__(self, values: str):
        self.values = values
        super().__init__(f"Số giường phải là số nguyên không âm: {values}", f"Bed counts must be whole numbers ≥ 0: {values}")


@transaction.atomic
def set_bed_capacities(*, by, facilities, entered: dict) -> int:
    """Bed counts per facility and bed type. `entered` maps (facility pk, bed type) to the text typed in the form
    ("" = leave as is). All or nothing: any value that is not a non-negative whole number refuses the lot with the
    facilities and values at fault. Returns the number of counts changed (each with its audit row)."""
    current = {(c.facility_id, c.bed_type): c for c in BedCapacity.objects.filter(facility__in=facilities)}
    errors, wanted = [], []
    for f in facilities:
        for bed_type in BedType.values:
            raw = (entered.get((f.pk, bed_type)) or "").strip()
            if raw == "":
                continue
            if not raw.isdigit():
                errors.append(f"{f.name}: {raw}")
                continue
            wanted.append((f, bed_type, int(raw)))
    if errors:
        raise InvalidBedCounts(", ".join(errors))
    changed = 0
    for f, bed_type, total in wanted:
        cap = current.get((f.pk, bed_type))
        if cap is None:
            cap = BedCapacity.objects.create(facility=f, bed_type=bed_type, total=total)
            record(actor=by, action="create", obj=cap, changes={"total": (None, total)})
            changed += 1
        elif cap.total != total:
            BedCapacity.objects.filter(pk=cap.pk).update(total=total, version=cap.version + 1)
            record(actor=by, action="update", obj=cap, changes={"total": (cap.total, total)})
            changed += 1
    return changed
