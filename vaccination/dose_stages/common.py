"""What the stages of the dose import share: the columns, messages and limits, and small helpers."""
import datetime as dt
import os
from dataclasses import dataclass, field

import polars as pl

from core.imports import (
    CELL_MAX,
    UNSTORABLE_EN,
    UNSTORABLE_VI,
    Column,
    too_long_messages,
)
from core.scoping import OUTSIDE_PERSON_EN, OUTSIDE_PERSON_VI
from core.text import fold

# key, accepted headers (compared diacritic- and case-insensitively), required
COLUMNS = [
    Column("id_number", ("Số CCCD/CMND", "Mã định danh", "Số định danh", "CCCD", "CMND", "Số giấy tờ", "ID number"), required=False),
    Column("full_name", ("Họ và tên", "Họ tên", "Full name"), required=True),
    Column("dob", ("Ngày sinh", "Date of birth"), required=True),
    Column("commune", ("Mã xã", "Mã xã/phường", "Commune code"), required=False),
    Column("product", ("Tên vắc xin", "Vắc xin", "Loại vắc xin", "Vaccine"), required=True),
    Column("kind", ("Loại mũi", "Loại liều", "Dose kind"), required=False),
    Column("number", ("Mũi số", "Mũi tiêm", "Liều số", "Dose number"), required=True),
    Column("given", ("Ngày tiêm", "Date given"), required=True),
    Column("lot", ("Số lô", "Lot"), required=False),
    Column("site", ("Cơ sở tiêm", "Điểm tiêm", "Site"), required=False),
]
HEADER_OF = {c.key: c.headers[0] for c in COLUMNS}

KIND_WORDS = {
    "primary": ["Cơ bản", "Liều cơ bản", "Mũi cơ bản", "primary", "CB", ""],
    "additional": ["Bổ sung", "Liều bổ sung", "Mũi bổ sung", "additional", "BS"],
    "booster": ["Nhắc lại", "Liều nhắc lại", "Mũi nhắc lại", "Nhắc lại lần 1", "Nhắc lại lần 2", "booster", "NL"],
}

# code → (column key, vi, en)
MESSAGES = {
    "given_date": ("given", "Ngày tiêm không hợp lệ (dd/mm/yyyy).", "Invalid date given (dd/mm/yyyy)."),
    "future": ("given", "Ngày tiêm ở tương lai.", "The date given is in the future."),
    "dob": ("dob", "Ngày sinh không hợp lệ (dd/mm/yyyy hoặc năm sinh).", "Invalid date of birth (dd/mm/yyyy or year)."),
    "before_birth": ("given", "Ngày tiêm trước ngày sinh.", "The date given is before the date of birth."),
    "product": ("product", "Không nhận ra tên vắc xin.", "Unknown vaccine product."),
    "kind": ("kind", "Loại mũi phải là Cơ bản, Bổ sung hoặc Nhắc lại.", "Dose kind must be primary, additional or booster."),
    "number": ("number", "Mũi số phải là số từ 1 đến 9.", "Dose number must be a number from 1 to 9."),
    "commune": ("commune", "Không có xã/phường với mã này.", "No commune with this code."),
    # Replaced row by row by geo.eras.check_unit_on's words (the date and the commune named).
    "era": ("given", "Mũi tiêm không thể ghi vào xã/phường của địa giới khác với ngày tiêm (sắp xếp 01/07/2025): "
                     "người đang ở xã cũ được chuyển bằng chức năng chuyển địa bàn.",
            "The dose cannot be put on a commune of the other structure than its date's (reorganisation of "
            "01/07/2025): people still on an old commune are moved by the re-homing flow."),
    "bad_id": ("id_number", "Số giấy tờ sai quy tắc: CCCD 12 chữ số (3 số đầu là mã tỉnh), CMND 9 chữ số, hộ chiếu 6–12 chữ và số.",
               "Invalid ID number: a CCCD has 12 digits (the first three a province code), a CMND 9, a passport 6–12 letters and digits."),
    "bad_name": ("full_name", "Họ tên không hợp lệ (không có chữ số, tối đa 150 ký tự).",
                 "Invalid full name (no digits, 150 characters at most)."),
    "unmatched": ("full_name", "Không tìm thấy người này (theo số giấy tờ, hoặc họ tên + ngày sinh + xã).",
                  "Person not found (by ID, or by name + date of birth + commune)."),
    "ambiguous": ("full_name", "Có nhiều người trùng họ tên, ngày sinh và xã: cần số giấy tờ.",
                  "Several people share this name, date of birth and commune: an ID number is needed."),
    "out_of_scope": ("id_number", f"Số giấy tờ hoặc họ tên {OUTSIDE_PERSON_VI}.", f"The ID number or name {OUTSIDE_PERSON_EN}."),
    "before_approval": ("given", "Ngày tiêm trước ngày vắc xin được phê duyệt.", "The date given is before the product's approval."),
    "schedule": ("product", "Không có lịch tiêm vắc xin này cho độ tuổi vào ngày tiêm.",
                 "No schedule of this product for the person's age on that date."),
    # No schedule version of the vaccine's disease covers the date given at all: the rule base's own refusal
    # (diseases.rules.NoRuleInForce, naming the disease, the kind and the date) replaces these words row by row.
    "no_schedule_rule": ("given", "Không có quy định lịch tiêm có hiệu lực vào ngày tiêm.",
                         "No vaccination schedule rule in force on the date given."),
    "too_many": ("number", "Vượt quá số mũi của loại này.", "More doses than this kind allows."),
    "no_policy": ("kind", "Chưa có quy định mũi bổ sung/nhắc lại vào ngày tiêm.", "No additional/booster rule in force on that date."),
    "not_booster": ("product", "Vắc xin này không dùng làm mũi bổ sung/nhắc lại.", "This product is not used for additional/booster doses."),
    "wrong_age": ("dob", "Chưa đủ tuổi tiêm mũi bổ sung/nhắc lại.", "Too young for an additional/booster dose."),
    "duplicate_in_file": ("number", "Mũi này xuất hiện nhiều lần trong tệp.", "This dose appears more than once in the file."),
    "conflict": ("given", "Mũi này đã được ghi nhận với ngày tiêm hoặc vắc xin khác.",
                 "This dose is already recorded with another date or product."),
    "out_of_order": ("number", "Thiếu mũi trước đó (mũi tiêm không theo thứ tự).", "An earlier dose is missing (doses out of order)."),
    "too_early": ("given", "Quá sớm so với mũi trước theo lịch tiêm.", "Too early after the previous dose under the schedule."),
    "unstorable": (None, UNSTORABLE_VI, UNSTORABLE_EN),
    "too_long": (None, *too_long_messages(CELL_MAX)),
    "lot": ("lot", "Số lô quá dài (tối đa 40 ký tự).", "The lot number is too long (40 characters at most)."),
    "site": ("site", "Tên cơ sở tiêm quá dài (tối đa 200 ký tự).", "The site name is too long (200 characters at most)."),
    "forbidden_mix": ("product", "Không được phối hợp vắc xin này với mũi trước trong liều cơ bản.",
                      "This product may not follow the previous one in the primary series."),
    "primary_incomplete": ("kind", "Chưa đủ liều cơ bản trước mũi bổ sung/nhắc lại.",
                           "The primary series is not complete before this additional/booster dose."),
}

EPOCH = dt.date(1970, 1, 1)
_PROFILE = os.environ.get("VIMP_PROFILE", "")  # print each step's time (bench/vaccination_import.py --profile)
YEAR_FIRST, YEAR_LAST = 1900, 2035  # dates outside are typing errors, not doses or births
FAR = 999_999
I64, I32, STR = pl.Int64, pl.Int32, pl.String
TEXT_LIMITS = {"lot": 40, "site": 200}  # the injection's column lengths


@dataclass
class BulkResult:
    total_rows: int = 0
    imported: int = 0
    skipped_duplicates: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # dicts: line, column, code, message_vi, message_en (first `keep`)
    saved: bool = False
    timings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"total_rows": self.total_rows, "imported": self.imported, "skipped_duplicates": self.skipped_duplicates,
                "error_count": self.error_count, "saved": self.saved, "errors": self.errors}


def _id_refused(number: str) -> bool:
    from core.errors import Invalid
    from people.rules import check_id_number

    try:
        check_id_number(number)
    except Invalid:
        return True
    return False


def _name_refused(name: str) -> bool:
    from core.errors import Invalid
    from people.rules import check_full_name

    try:
        check_full_name(name)
    except Invalid:
        return True
    return False


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _frame(rows, schema: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _cell_text(c) -> str | None:
    if c is None:
        return None
    if isinstance(c, dt.datetime):
        c = c.date()
    if isinstance(c, dt.date):
        return c.strftime("%d/%m/%Y")
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c).strip()


def _variants(text: str) -> list[str]:
    text = (text or "").strip()
    if not text:
        return []
    out = {text, text.lower(), text.upper(), text.title(), text.capitalize(), fold(text), fold(text).upper(), fold(text).title()}
    return sorted(out)
