"""Identity documents and phone numbers as Vietnamese users write them (people.rules): pure rules, no database."""
import pytest

from core.errors import Invalid
from people.rules import (
    CCCD_PROVINCE_CODES,
    MOBILE_PREFIXES,
    OLD_TO_NEW_PREFIX,
    age_on,
    century_sex_digit,
    check_cccd,
    check_cmnd,
    check_id,
    check_passport,
    guess_id_kind,
    normalize_phone,
)


# --- CCCD: 12 digits = province (3) + sex/century (1) + year of birth (2) + serial (6) ------------------
def test_it_accepts_a_well_formed_cccd():
    # Kon Tum (062), a man born in 1985.
    assert check_cccd("062085000123", sex="M", birth_year=1985) == "062085000123"


def test_it_accepts_a_cccd_typed_with_spaces():
    assert check_cccd("062 085 000 123", sex="M", birth_year=1985) == "062085000123"


@pytest.mark.parametrize("number", ["06208500012", "0620850001234", "06208500012a", "", "O62085000123"])
def test_it_refuses_a_cccd_that_is_not_twelve_digits(number):
    with pytest.raises(Invalid) as exc:
        check_cccd(number)
    assert "12" in exc.value.vi and "12" in exc.value.en


@pytest.mark.parametrize("prefix", ["000", "003", "063", "097", "100", "999"])
def test_it_refuses_a_cccd_whose_first_three_digits_are_not_a_province(prefix):
    with pytest.raises(Invalid) as exc:
        check_cccd(prefix + "085000123")
    assert prefix in exc.value.vi and "province" in exc.value.en


def test_it_knows_the_63_province_codes():
    assert len(CCCD_PROVINCE_CODES) == 63
    assert {"001", "062", "079", "096"} <= CCCD_PROVINCE_CODES


@pytest.mark.parametrize(
    ("sex", "year", "digit"),
    [("M", 1950, "0"), ("F", 1950, "1"), ("M", 1999, "0"), ("F", 1900, "1"), ("M", 2000, "2"), ("F", 2015, "3"),
     ("M", 2100, "4"), ("F", 2100, "5")],
)
def test_it_derives_the_fourth_digit_from_sex_and_century(sex, year, digit):
    assert century_sex_digit(sex, year) == digit


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [
        ("062085000123", "F", 1985),  # 0 = man of the 1900s, she is a woman
        ("062185000123", "M", 1985),  # 1 = woman
        ("062085000123", "M", 2085),  # 0 = born 1900–1999
        ("062205000123", "M", 1905),  # 2 = man born 2000–2099
    ],
)
def test_it_refuses_a_fourth_digit_that_disagrees_with_sex_and_century(number, sex, year):
    with pytest.raises(Invalid) as exc:
        check_cccd(number, sex=sex, birth_year=year)
    assert "thứ 4" in exc.value.vi and "4th" in exc.value.en


def test_it_refuses_digits_five_and_six_that_disagree_with_the_birth_year():
    with pytest.raises(Invalid) as exc:
        check_cccd("062085000123", sex="M", birth_year=1986)
    assert "1986" in exc.value.vi and "5–6" in exc.value.en


def test_it_accepts_a_woman_born_after_2000():
    assert check_cccd("062307000001", sex="F", birth_year=2007)


def test_it_checks_only_the_shape_when_sex_or_year_is_unknown():
    assert check_cccd("062185000123") == "062185000123"


# --- CMND, passport, none -----------------------------------------------------------------------------
def test_it_accepts_a_nine_digit_cmnd():
    assert check_cmnd("233 123 456") == "233123456"


@pytest.mark.parametrize("number", ["23312345", "2331234567", "23312345x", ""])
def test_it_refuses_a_cmnd_that_is_not_nine_digits(number):
    with pytest.raises(Invalid) as exc:
        check_cmnd(number)
    assert "9" in exc.value.vi and "9 digits" in exc.value.en


@pytest.mark.parametrize(("typed", "stored"), [("b1234567", "B1234567"), ("C 0123456", "C0123456"), ("N1234567AB", "N1234567AB")])
def test_it_accepts_passport_numbers_in_upper_case(typed, stored):
    assert check_passport(typed) == stored


@pytest.mark.parametrize("number", ["B123", "B12345678901234", "B-123456", ""])
def test_it_refuses_malformed_passport_numbers(number):
    with pytest.raises(Invalid):
        check_passport(number)


def test_it_refuses_a_number_when_no_document_was_chosen():
    with pytest.raises(Invalid) as exc:
        check_id("none", "123456789")
    assert exc.value.vi and exc.value.en
    assert check_id("none", "") == ""


def test_it_dispatches_on_the_document_kind():
    assert check_id("cmnd", "233123456") == "233123456"
    assert check_id("passport", "b1234567") == "B1234567"
    with pytest.raises(Invalid):
        check_id("cccd", "233123456")


@pytest.mark.parametrize(("number", "kind"), [("062085000123", "cccd"), ("233123456", "cmnd"), ("B1234567", "passport"), ("", "none")])
def test_it_guesses_the_document_kind_from_the_number(number, kind):
    assert guess_id_kind(number) == kind


# --- Phones --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("+84 91 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("(+84) 912 345 678", "0912345678"),
        ("0862123456", "0862123456"),
        ("0260 3862 123", "02603862123"),  # Kon Tum landline, 2017 area code 0260
    ],
)
def test_it_normalises_phone_numbers(typed, normalised):
    assert normalize_phone(typed) == normalised


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("01689123456", "0389123456"),  # Viettel 0168 → 038
        ("0162 123 4567", "0321234567"),  # Viettel 0162 → 032
        ("01203456789", "0703456789"),  # MobiFone 0120 → 070
        ("01213456789", "0793456789"),  # MobiFone 0121 → 079
        ("01223456789", "0773456789"),  # MobiFone 0122 → 077
        ("01263456789", "0763456789"),  # MobiFone 0126 → 076
        ("01283456789", "0783456789"),  # MobiFone 0128 → 078
        ("01233456789", "0833456789"),  # VinaPhone 0123 → 083
        ("01243456789", "0843456789"),  # VinaPhone 0124 → 084
        ("01253456789", "0853456789"),  # VinaPhone 0125 → 085
        ("01273456789", "0813456789"),  # VinaPhone 0127 → 081
        ("01293456789", "0823456789"),  # VinaPhone 0129 → 082
        ("01863456789", "0563456789"),  # Vietnamobile 0186 → 056
        ("01883456789", "0583456789"),  # Vietnamobile 0188 → 058
        ("01993456789", "0593456789"),  # Gmobile 0199 → 059
        ("+841689123456", "0389123456"),
        ("841689123456", "0389123456"),
    ],
)
def test_it_renumbers_old_eleven_digit_mobiles_per_the_2018_plan(old, new):
    assert normalize_phone(old) == new


def test_every_renumbered_prefix_is_a_current_mobile_prefix():
    assert set(OLD_TO_NEW_PREFIX.values()) <= MOBILE_PREFIXES
    assert all(len(old) == 4 and old.startswith("01") for old in OLD_TO_NEW_PREFIX)


@pytest.mark.parametrize(
    "typed",
    [
        "0112345678",  # 011 is no mobile prefix
        "0012345678",
        "0512345678",  # 051 unassigned
        "01612345678",  # 0161 was never renumbered
        "0912345",  # too short
        "091234567890",  # too long
        "09123abc78",
        "+1 202 555 0100",
    ],
)
def test_it_refuses_numbers_with_an_invalid_prefix_or_length(typed):
    with pytest.raises(Invalid) as exc:
        normalize_phone(typed)
    assert typed in exc.value.vi and typed in exc.value.en


def test_it_keeps_an_empty_phone_empty():
    assert normalize_phone("  ") == ""


# --- Age ------------------------------------------------------------------------------------------------
def test_it_computes_age_from_the_date_or_only_the_year_of_birth():
    import datetime as dt

    on = dt.date(2022, 2, 14)
    assert age_on(dt.date(1980, 2, 15), 1980, on) == 41
    assert age_on(dt.date(1980, 2, 14), 1980, on) == 42
    assert age_on(None, 1950, on) == 72
    assert age_on(None, None, on) is None
