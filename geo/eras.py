"""Which structure a dated record belongs on: a record keeps the unit of its time.

A record dated before 01/07/2025 lies on a pre-2025 unit (province → district → commune); one dated from that day on
a 2025 unit (province → commune). Moving people from one structure to the other is the re-homing flow's job
(people.rehoming), never a form's, an API call's or an import row's: `check_unit_on` refuses the mix with a message
in Vietnamese and English that says why.

The reverse direction (a record dated from 01/07/2025 on a pre-2025 unit) is refused only on an installation that
runs on the 2025 structure (`PHONGDICH_STRUCTURE = "2025"`): an installation still on the old structure keeps
recording on its old communes until it re-homes its people.
"""
import datetime as dt

from core.errors import Invalid

from .areas import REORGANISED_ON as START_2025
from .areas import installation_structure, structure_on  # noqa: F401  (re-exported for the record checks' callers)
from .models import Structure


def check_unit_on(unit, on: dt.date | None, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                  what_en: str = "A record") -> None:
    """Refuse putting a record dated `on` on a unit of the other structure (see the module's docstring)."""
    if unit is None or on is None:
        return
    day = on.strftime("%d/%m/%Y")
    if unit.structure == Structure.FROM_2025 and on < START_2025:
        raise Invalid(
            f"{what_vi} ngày {day} (trước 01/07/2025) không thể ghi vào {unit.name}, một đơn vị hành chính từ "
            "01/07/2025: hồ sơ giữ đơn vị của thời điểm đó (xã/phường trước sắp xếp). Chỉ chức năng chuyển địa bàn "
            "(sắp xếp đơn vị hành chính) mới chuyển người sang xã/phường mới.",
            f"{what_en} dated {day} (before 01/07/2025) cannot be put on {unit.name}, an administrative unit of the "
            "structure in force from 01/07/2025: a record keeps the unit of its time (the commune before the "
            "reorganisation). Only the re-homing flow moves people to the new communes.",
            field=field,
        )
    if (unit.structure == Structure.PRE_2025 and on >= START_2025
            and installation_structure() == Structure.FROM_2025):
        raise Invalid(
            f"{what_vi} ngày {day} (từ 01/07/2025) không thể ghi vào {unit.name}, một đơn vị hành chính đã giải thể "
            "khi sắp xếp ngày 01/07/2025: hãy chọn xã/phường hiện hành (người đang ở xã cũ được chuyển bằng chức "
            "năng chuyển địa bàn).",
            f"{what_en} dated {day} (from 01/07/2025) cannot be put on {unit.name}, an administrative unit dissolved "
            "by the reorganisation of 01/07/2025: choose today's commune (people still on an old commune are moved "
            "by the re-homing flow).",
            field=field,
        )
