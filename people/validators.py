"""Checks on the text people type or import about a person, shared by forms, the API and the importers.

* `impossible_char`: characters no field may hold. PostgreSQL cannot store NUL in text, a lone surrogate cannot be
  encoded, and other control characters are invisible garbage from copy-paste or a hostile client.
* `check_name`: a person's name is letters (any script, with Vietnamese diacritics, precomposed or combining),
  spaces, apostrophes (ethnic minority names such as "H'Hen Niê", "Y Bih Niê"), hyphens, dots and commas.
  Anything else, markup (`<img …>`), a formula (`=HYPERLINK(…)`) or a control character, is refused with a
  message in Vietnamese and English; the importers report it per row with the same message.
"""
import unicodedata

from core.errors import Invalid
from core.text import describe_char, impossible_char

# Punctuation a real name uses: apostrophes (ASCII, typographic, modifier letter), hyphens, dot, comma, brackets
# for a note such as "Nguyễn Văn An (con)".
_NAME_PUNCTUATION = set("'’ʼ‘`-‐‑.,()")


def check_text(text: str, *, field: str | None = None) -> str:
    """Refuse text with an impossible character; returns the text unchanged."""
    ch = impossible_char(text)
    if ch is not None:
        raise Invalid(
            f"Dữ liệu chứa ký tự không hợp lệ ({describe_char(ch)}).",
            f"The text contains a character that is not allowed ({describe_char(ch)}).",
            field=field,
        )
    return text


def name_refusal(name: str) -> str | None:
    """The first character a person's name may not contain, or None."""
    for ch in name or "":
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            continue  # spaces of any kind (a tab pasted from a spreadsheet): normalize_name makes them one space
        cat = unicodedata.category(ch)
        if cat[0] in ("L", "M", "N") and cat != "No":  # letters, combining marks, digits
            continue
        if ch in _NAME_PUNCTUATION:
            continue
        return ch
    return None


def check_name(name: str, *, field: str = "full_name") -> str:
    """Refuse a name with markup, formula or control characters; returns the name unchanged."""
    ch = name_refusal(name)
    if ch is not None:
        shown = describe_char(ch)
        raise Invalid(
            f"Họ tên chỉ gồm chữ cái, dấu cách, dấu nháy (') và gạch nối (-); không được chứa ký tự “{shown}”.",
            f"A name may only contain letters, spaces, apostrophes (') and hyphens (-), not “{shown}”.",
            field=field,
        )
    return name
