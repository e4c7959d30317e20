"""Which structure a dated record belongs on: a record keeps the unit of its time.

A record dated before 01/07/2025 lies on a pre-2025 unit (province → district → commune); one dated from that day on
a 2025 unit (province → commune). Moving people from one structure to the other is the re-homing flow's job
(people.rehoming), never a form's, an API call's or an import row's: `check_unit_on` refuses the mix with a message
in Vietnamese and English that says why.

Which date decides the era of each kind of record is listed in docs/geo.md ("Which date decides the era"); every
write path (form, service, REST API, import, field-app sync) calls the checks below, never a copy of them.

The reverse direction (a record dated from 01/07/2025 on a pre-2025 unit) is refused only on an installation that
runs on the 2025 structure (`PHONGDICH_STRUCTURE = "2025"`): an installation still on the old structure keeps
recording on its old communes until it re-homes its people.
"""
import datetime as dt

from core.errors import Invalid

from .areas import REORGANISED_ON as START_2025
from .areas import installation_structure, structure_on  # noqa: F401  (re-exported for the record checks' callers)
from .models import Structure


def wrong_era(structure: str, on: dt.date) -> bool:
    """The rule itself: may a record dated `on` not lie on a unit of `structure`? (Set-based callers such as the dose
    import evaluate it once per side of 01/07/2025 and word their refusals with `check_unit_on`.)"""
    if structure == Structure.FROM_2025:
        return on < START_2025
    return on >= START_2025 and installation_structure() == Structure.FROM_2025


def check_unit_on(unit, on: dt.date | None, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                  what_en: str = "A record") -> None:
    """Refuse putting a record dated `on` on a unit of the other structure (see the module's docstring)."""
    if unit is None or on is None or not wrong_era(unit.structure, on):
        return
    day = on.strftime("%d/%m/%Y")
    if unit.structure == Structure.FROM_2025:
        raise Invalid(
            f"{what_vi} ngày {day} (trước 01/07/2025) không thể ghi vào {unit.name}, một đơn vị hành chính từ "
            "01/07/2025: hồ sơ giữ đơn vị của thời điểm đó (xã/phường trước sắp xếp). Chỉ chức năng chuyển địa bàn "
            "(sắp xếp đơn vị hành chính) mới chuyển người sang xã/phường mới.",
            f"{what_en} dated {day} (before 01/07/2025) cannot be put on {unit.name}, an administrative unit of the "
            "structure in force from 01/07/2025: a record keeps the unit of its time (the commune before the "
            "reorganisation). Only the re-homing flow moves people to the new communes.",
            field=field,
        )
    raise Invalid(
        f"{what_vi} ngày {day} (từ 01/07/2025) không thể ghi vào {unit.name}, một đơn vị hành chính đã giải thể "
        "khi sắp xếp ngày 01/07/2025: hãy chọn xã/phường hiện hành (người đang ở xã cũ được chuyển bằng chức "
        "năng chuyển địa bàn).",
        f"{what_en} dated {day} (from 01/07/2025) cannot be put on {unit.name}, an administrative unit dissolved "
        "by the reorganisation of 01/07/2025: choose today's commune (people still on an old commune are moved "
        "by the re-homing flow).",
        field=field,
    )


def unit_of_person_on(person, on: dt.date, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                      what_en: str = "A record"):
    """The commune a record about `person` dated `on` lies on (his commune of that time, `Person.commune_on`),
    checked by `check_unit_on`: a dose of 2026 for someone still on a dissolved commune waits for his re-homing."""
    unit = person.commune_on(on)
    check_unit_on(unit, on, field=field, what_vi=what_vi, what_en=what_en)
    return unit


def check_population_year(unit, year: int | None, *, field: str | None = "year") -> None:
    """A population estimate is decided by 1 January of its year. A 2025 unit may carry an earlier year (the
    reorganisation's plans restate the new communes' population of 2024); a pre-2025 unit may not carry a year that
    starts after it was dissolved (2026 on), on an installation running on the 2025 structure."""
    if unit is None or year is None or unit.structure != Structure.PRE_2025:
        return
    if year > START_2025.year and installation_structure() == Structure.FROM_2025:
        raise Invalid(
            f"Số dân năm {year} không thể ghi vào {unit.name}, một đơn vị hành chính đã giải thể khi sắp xếp ngày "
            "01/07/2025: số dân từ năm 2026 ghi cho xã/phường hiện hành.",
            f"The population of {year} cannot be put on {unit.name}, an administrative unit dissolved by the "
            "reorganisation of 01/07/2025: populations from 2026 on are recorded for today's communes.",
            field=field,
        )


def check_move(old_unit, new_unit, *, field: str | None = "commune") -> None:
    """A person's commune can be changed within one structure only: moving him from a pre-2025 commune to a 2025
    one (or back) is the re-homing flow's job, which keeps his former commune for his older records and is audited
    and reversible."""
    if old_unit is None or new_unit is None or old_unit.structure == new_unit.structure:
        return
    if new_unit.structure == Structure.FROM_2025:
        raise Invalid(
            f"Không thể chuyển người từ {old_unit.name} (xã/phường trước 01/07/2025) sang {new_unit.name} (đơn vị "
            "hành chính từ 01/07/2025) bằng cách sửa hồ sơ: hãy dùng chức năng chuyển địa bàn (Người dân → Chuyển "
            "địa bàn), chức năng này giữ xã cũ cho các hồ sơ trước 01/07/2025.",
            f"A person cannot be moved from {old_unit.name} (a commune before 01/07/2025) to {new_unit.name} (an "
            "administrative unit from 01/07/2025) by editing his record: use the re-homing flow (People → Re-homing), "
            "which keeps the former commune for his records dated before 01/07/2025.",
            field=field,
        )
    raise Invalid(
        f"Không thể chuyển người từ {old_unit.name} (đơn vị hành chính từ 01/07/2025) về {new_unit.name}, một "
        "xã/phường đã giải thể khi sắp xếp ngày 01/07/2025: chỉ chức năng chuyển địa bàn (hoàn tác một lượt chuyển) "
        "mới đưa người về xã cũ.",
        f"A person cannot be moved from {old_unit.name} (an administrative unit from 01/07/2025) back to "
        f"{new_unit.name}, a commune dissolved by the reorganisation of 01/07/2025: only the re-homing flow (undoing "
        "a run) puts people back on their former commune.",
        field=field,
    )
