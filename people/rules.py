"""Validation of identity documents and phone numbers as Vietnamese users write them. Pure functions."""
import datetime as dt
import re

from core.errors import Invalid

# Province codes that may open a CCCD number (Circular 07/2016/TT-BCA: the 3-digit code of the province of
# birth registration). Both structures are accepted: an ID issued before 01/07/2025 keeps the code of one of the
# 63 former provinces (062 Kon Tum, now part of Quảng Ngãi) for life; one issued since carries the code of one of the
# 34 provinces of the 2025 structure (each kept the GSO code of one of the provinces merged into it).
CCCD_PROVINCE_CODES_PRE_2025 = {
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
}
CCCD_PROVINCE_CODES_2025 = {
    "001", "004", "008", "011", "012", "014", "015", "019", "020", "022", "024", "025", "031", "033", "037", "038",
    "040", "042", "044", "046", "048", "051", "052", "056", "066", "068", "075", "079", "080", "082", "086", "091",
    "092", "096",
}
CCCD_PROVINCE_CODES = CCCD_PROVINCE_CODES_PRE_2025 | CCCD_PROVINCE_CODES_2025

# Mobile prefixes in use after the 2018 renumbering (11-digit 01xx numbers moved to 03x/05x/07x/08x).
MOBILE_PREFIXES = {
    "032", "033", "034", "035", "036", "037", "038", "039",  # Viettel (ex-016x)
    "052", "055", "056", "058", "059",
    "070", "076", "077", "078", "079",  # MobiFone (ex-012x)
    "081", "082", "083", "084", "085", "086", "087", "088", "089",
    "090", "091", "092", "093", "094", "096", "097", "098", "099",
}
# 2018 renumbering table (Circular 22/2014/TT-BTTTT, applied 15/09–15/11/2018).
OLD_TO_NEW_PREFIX = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037", "0168": "038", "0169": "039",
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}


def century_sex_digit(sex: str, year: int) -> str:
    """4th CCCD digit: 0/1 for men/women born 1900–1999, 2/3 for 2000–2099, 4/5 for 2100–2199, …"""
    century_index = (year // 100) - 19
    return str(century_index * 2 + (1 if sex == "F" else 0))


def check_cccd(number: str, *, sex: str | None = None, birth_year: int | None = None) -> str:
    number = re.sub(r"\s", "", number or "")
    if not re.fullmatch(r"\d{12}", number):
        raise Invalid("Số CCCD phải gồm đúng 12 chữ số.", "A CCCD number has exactly 12 digits.")
    if number[:3] not in CCCD_PROVINCE_CODES:
        raise Invalid(
            f"Ba số đầu của CCCD ({number[:3]}) không phải mã tỉnh: không thuộc 63 tỉnh trước 01/07/2025 (thẻ cấp trước "
            "giữ mã tỉnh cũ, ví dụ 062 Kon Tum) cũng không thuộc 34 tỉnh từ 01/07/2025.",
            f"The first three digits of the CCCD ({number[:3]}) are not a province code: neither one of the 63 provinces "
            "before 01/07/2025 (a card issued then keeps its old code, e.g. 062 Kon Tum) nor one of the 34 since.",
        )
    if sex and birth_year:
        expected = century_sex_digit(sex, birth_year)
        if number[3] != expected:
            raise Invalid(
                f"Chữ số thứ 4 của CCCD ({number[3]}) không khớp giới tính và thế kỷ sinh (phải là {expected}).",
                f"The 4th CCCD digit ({number[3]}) does not match sex and century of birth (expected {expected}).",
            )
        if number[4:6] != f"{birth_year % 100:02d}":
            raise Invalid(
                f"Chữ số thứ 5–6 của CCCD ({number[4:6]}) không khớp năm sinh {birth_year}.",
                f"CCCD digits 5–6 ({number[4:6]}) do not match the year of birth {birth_year}.",
            )
    return number


def check_cmnd(number: str) -> str:
    number = re.sub(r"\s", "", number or "")
    if not re.fullmatch(r"\d{9}", number):
        raise Invalid("Số CMND phải gồm đúng 9 chữ số.", "A CMND number has exactly 9 digits.")
    return number


def check_passport(number: str) -> str:
    number = re.sub(r"\s", "", number or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{6,12}", number):
        raise Invalid("Số hộ chiếu gồm 6–12 chữ cái và chữ số.", "A passport number has 6–12 letters and digits.")
    return number


def check_id(kind: str, number: str, *, sex: str | None = None, birth_year: int | None = None) -> str:
    if kind == "cccd":
        return check_cccd(number, sex=sex, birth_year=birth_year)
    if kind == "cmnd":
        return check_cmnd(number)
    if kind == "passport":
        return check_passport(number)
    if number:
        raise Invalid("Đã chọn “không có giấy tờ” nhưng có số giấy tờ.", "“No document” was chosen but a number was given.")
    return ""


def guess_id_kind(number: str) -> str:
    digits = re.sub(r"\s", "", number or "")
    if not digits:
        return "none"
    if re.fullmatch(r"\d{12}", digits):
        return "cccd"
    if re.fullmatch(r"\d{9}", digits):
        return "cmnd"
    return "passport"


def check_id_number(number: str, *, sex: str | None = None, birth_year: int | None = None) -> tuple[str, str]:
    """(kind, number) of an ID number written without its kind, checked by the rules above: 12 digits are a CCCD,
    9 a CMND; digits only of any other length are a mistyped CCCD/CMND (not a passport); anything else a passport."""
    compact = re.sub(r"\s", "", number or "")
    kind = guess_id_kind(compact)
    if kind == "passport" and compact.isdigit():
        raise Invalid(f"Số CCCD/CMND phải gồm đúng 12 hoặc 9 chữ số (có {len(compact)}).",
                      f"A CCCD/CMND number has exactly 12 or 9 digits (this one has {len(compact)}).")
    return kind, check_id(kind, compact, sex=sex, birth_year=birth_year)


FULL_NAME_MAX = 150  # people.Person.full_name


def check_full_name(name: str) -> str:
    """A person's full name as the registry accepts it: present, no digits, at most FULL_NAME_MAX characters."""
    name = (name or "").strip()
    if not name:
        raise Invalid("Thiếu họ tên.", "The full name is missing.")
    if len(name) > FULL_NAME_MAX or re.search(r"\d", name):
        raise Invalid(f"Họ tên không hợp lệ: “{name[:FULL_NAME_MAX]}”.", f"Invalid full name: “{name[:FULL_NAME_MAX]}”.")
    return name


def normalize_phone(raw: str) -> str:
    """Return "0xxxxxxxxx" (10 digits for mobiles, 10–11 for landlines 02x). Accepts +84, 84, spaces, dots, dashes."""
    text = re.sub(r"[\s.\-()]", "", raw or "")
    if not text:
        return ""
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not re.fullmatch(r"0\d{8,10}", text):
        raise Invalid(f"Số điện thoại không hợp lệ: {raw}", f"Invalid phone number: {raw}")
    if len(text) == 11 and text[:4] in OLD_TO_NEW_PREFIX:
        text = OLD_TO_NEW_PREFIX[text[:4]] + text[4:]
    if len(text) == 10 and text[:3] in MOBILE_PREFIXES:
        return text
    if text.startswith("02") and len(text) in (10, 11):
        return text  # landline with 2017 area codes (e.g. 0260 Kon Tum)
    raise Invalid(
        f"Số điện thoại không đúng đầu số hiện hành: {raw}",
        f"The phone number does not use a current prefix: {raw}",
    )


def age_on(date_of_birth: dt.date | None, birth_year: int | None, on: dt.date) -> int | None:
    if date_of_birth:
        return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    if birth_year:
        return on.year - birth_year
    return None
