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

A record about a person (a dose, a visit) whose commune of its date is of the other structure goes on that commune's
only counterpart (`counterpart_on`, the rule re-homing applies one-to-one), so everyday work does not wait for the
re-homing run; only a commune with several counterparts is refused.
"""
import datetime as dt

from core.errors import Invalid

from .areas import REORGANISED_ON as START_2025
from .areas import installation_structure, structure_on  # noqa: F401  (re-exported for the record checks' callers)
from .models import Level, Structure


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


def check_unit_during(unit, starts_on: dt.date, ends_on: dt.date | None, *, field: str | None = "unit",
                      what_vi: str = "Hồ sơ", what_en: str = "A record") -> None:
    """A record that spans a period (a vaccination campaign) may lie on a unit of a structure in force at some point
    of [starts_on, ends_on]: a 2025 unit when it ends on or after 01/07/2025, a pre-2025 unit when it starts before
    (so a campaign running across the reorganisation may be on either). Otherwise refused as `check_unit_on` words
    it, naming the period."""
    if unit is None or starts_on is None:
        return
    ends_on = ends_on or starts_on
    if not wrong_era(unit.structure, starts_on) or not wrong_era(unit.structure, ends_on):
        return
    period = f"{starts_on:%d/%m/%Y} – {ends_on:%d/%m/%Y}"
    if unit.structure == Structure.FROM_2025:
        raise Invalid(
            f"{what_vi} {period} kết thúc trước 01/07/2025 nên không thể ghi vào {unit.name}, một đơn vị hành chính "
            "từ 01/07/2025: hồ sơ giữ đơn vị của thời điểm đó, hãy chọn đơn vị trước sắp xếp (chỉ chức năng chuyển "
            "địa bàn mới chuyển người sang xã/phường mới).",
            f"{what_en} of {period} ends before 01/07/2025, so it cannot be put on {unit.name}, an administrative "
            "unit of the structure in force from 01/07/2025: a record keeps the unit of its time, choose a unit of "
            "before the reorganisation (only the re-homing flow moves people to the new communes).",
            field=field,
        )
    raise Invalid(
        f"{what_vi} {period} bắt đầu từ 01/07/2025 nên không thể ghi vào {unit.name}, một đơn vị hành chính đã giải "
        "thể khi sắp xếp ngày 01/07/2025: hãy chọn đơn vị hiện hành (người đang ở xã cũ được chuyển bằng chức năng "
        "chuyển địa bàn).",
        f"{what_en} of {period} starts on or after 01/07/2025, so it cannot be put on {unit.name}, an administrative "
        "unit dissolved by the reorganisation of 01/07/2025: choose a unit of today (people still on an old commune "
        "are moved by the re-homing flow).",
        field=field,
    )


def unit_of_person_on(person, on: dt.date, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                      what_en: str = "A record"):
    """The commune a record about `person` dated `on` lies on: his commune of that time (`Person.commune_on`) or,
    when that commune is of the other structure, its counterpart on the structure of the date (`counterpart_on`).
    The person himself stays where he is: moving him is the re-homing flow's job."""
    return counterpart_on(person.commune_on(on), on, field=field, what_vi=what_vi, what_en=what_en)


def single_counterparts(commune_ids) -> dict[int, int]:
    """{commune id: id of its only commune on the other structure} for the communes with exactly one correspondence
    link (a pre-2025 commune that was not split; a 2025 commune made of one former commune or a part of one). What
    a record of the other era goes on (`counterpart_on`); the dose import maps its rows with it in one query."""
    from .areas import correspondents_of

    return {pk: units[0].pk for pk, units in correspondents_of(commune_ids).items() if len(units) == 1}


def counterpart_on(unit, on: dt.date | None, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                   what_en: str = "A record"):
    """The commune a record about a person dated `on` goes on, when his commune of that time is `unit`: `unit` itself
    on its own era; on the other era its only counterpart (the rule re-homing applies one-to-one: a pre-2025 commune
    that was not split → its 2025 commune; a 2025 commune made of one former commune → that one). A commune with
    several counterparts is refused with the choice named (`refuse_counterparts`): the person's place of that time is
    decided by re-homing (review list), never guessed."""
    if unit is None or on is None or not wrong_era(unit.structure, on):
        return unit
    from .areas import correspondents_of

    others = correspondents_of([unit]).get(unit.pk, [])
    if len(others) == 1:
        return others[0]
    refuse_counterparts(unit, on, others, field=field, what_vi=what_vi, what_en=what_en)


def refuse_counterparts(unit, on: dt.date, others, *, field: str | None = "commune", what_vi: str = "Hồ sơ",
                        what_en: str = "A record") -> None:
    """The refusal of `counterpart_on` when `unit` (of the other era than `on`) has no single counterpart."""
    if not others:  # no correspondence loaded for it: the plain rule
        check_unit_on(unit, on, field=field, what_vi=what_vi, what_en=what_en)
        return
    day = on.strftime("%d/%m/%Y")
    names = ", ".join(u.name for u in others)
    if unit.structure == Structure.PRE_2025:
        raise Invalid(
            f"{what_vi} ngày {day} (từ 01/07/2025) không thể ghi cho người còn ở {unit.name}, một xã/phường đã giải "
            f"thể khi sắp xếp ngày 01/07/2025 và được chia cho nhiều xã/phường ({names}): hãy chuyển địa bàn người "
            "này trước (Người dân → Chuyển địa bàn, danh sách xem xét) để biết xã/phường hiện hành của người đó.",
            f"{what_en} dated {day} (from 01/07/2025) cannot be recorded for a person still on {unit.name}, a commune "
            f"dissolved by the reorganisation of 01/07/2025 and split between several communes ({names}): re-home "
            "the person first with the re-homing flow (People → Re-homing, review list) so that his commune of today is "
            "known.",
            field=field,
        )
    raise Invalid(
        f"{what_vi} ngày {day} (trước 01/07/2025) không thể ghi vào {unit.name}, một đơn vị hành chính từ "
        f"01/07/2025 được lập từ nhiều xã/phường cũ ({names}): hồ sơ giữ đơn vị của thời điểm đó, nhưng không rõ "
        "người này ở xã/phường cũ nào, nên cần ghi xã/phường cũ của người này (chức năng chuyển địa bàn ghi "
        "cho người được chuyển; với người khác: sửa hồ sơ người dân, mục “Xã/phường cũ (trước 01/07/2025)”), rồi ghi lại.",
        f"{what_en} dated {day} (before 01/07/2025) cannot be put on {unit.name}, an administrative unit from "
        f"01/07/2025 made of several former communes ({names}): a record keeps the unit of its time, but which of "
        "them the person lived in is not known, so his former commune must be set (the re-homing flow sets it for the "
        "people it moves; for anyone else, edit the person's record, field “Former commune (before 01/07/2025)”), then "
        "record this again.",
        field=field,
    )


def check_former_commune(commune, former, *, field: str | None = "former_commune") -> None:
    """A person's former commune (where he lived before 01/07/2025, for his records of that time) is a pre-2025
    commune, and only someone living on a commune of today has one. It need not be a predecessor of his commune
    today: he may have moved since."""
    if former is None:
        return
    if former.structure != Structure.PRE_2025 or former.level != Level.COMMUNE:
        raise Invalid(f"{former.name} không phải xã/phường trước 01/07/2025.",
                      f"{former.name} is not a commune of before 01/07/2025.", field=field)
    if commune is not None and commune.structure != Structure.FROM_2025:
        raise Invalid(f"Người đang ở {commune.name} (xã/phường trước 01/07/2025) không có xã/phường cũ: chỉ người ở "
                      "xã/phường hiện hành mới ghi xã/phường cũ.",
                      f"A person living on {commune.name} (a commune of before 01/07/2025) has no former commune: only "
                      "someone on a commune of today has one.", field=field)


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


def check_unit_of_week(unit, week_start: dt.date) -> None:
    """An epidemic level (its criteria, proposal and decision) lies on the units of its week (`wrong_era` on the
    week's Monday): a level shown on the other structure's map is derived from the units of its time (levels'
    crosswalk), never proposed or decided on."""
    if unit is None or not wrong_era(unit.structure, week_start):
        return
    if unit.structure == Structure.FROM_2025:
        vi = (f"Tuần {week_start:%d/%m/%Y} được đánh giá trên các xã, phường trước 01/07/2025; cấp độ của {unit.name} "
              "trên bản đồ hiện hành chỉ là cấp suy ra (cao nhất trong các xã cũ hợp thành), không đề xuất hay quyết "
              "định trên đó: hãy chọn “Theo địa giới: trước 01/07/2025” và đề xuất cho từng xã cũ.")
        en = (f"The week of {week_start:%d/%m/%Y} is assessed on the communes before 01/07/2025; the level of {unit.name} "
              "on today's map is only derived (the highest of the former communes it took over) and is not proposed "
              "or decided on: choose “by boundaries: before 01/07/2025” and propose for each former commune.")
    else:
        vi = (f"Tuần {week_start:%d/%m/%Y} được đánh giá trên các xã, phường hiện hành (từ 01/07/2025); cấp độ của "
              f"{unit.name} trên bản đồ trước 01/07/2025 chỉ là cấp suy ra từ xã hiện hành, không đề xuất hay quyết "
              "định trên đó: hãy chọn “Theo địa giới: hiện hành”.")
        en = (f"The week of {week_start:%d/%m/%Y} is assessed on today's communes (from 01/07/2025); the level of "
              f"{unit.name} on the map before 01/07/2025 is only derived from today's commune and is not proposed or "
              "decided on: choose “by boundaries: current”.")
    raise Invalid(vi, en, field="unit")
