"""Vietnamese text helpers: diacritic folding for accent-insensitive search, name normalisation."""
import re
import unicodedata

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form used for search: "Nguyễn Văn Ân" -> "nguyen van an", "Đắk Hà" -> "dak ha"."""
    if not text:
        return ""
    # unidecode maps đ/Đ to d/D and strips every tone and vowel mark.
    return _SPACES.sub(" ", unidecode(unicodedata.normalize("NFC", text)).lower()).strip()


def normalize_name(text: str) -> str:
    """Full names as Vietnamese users write them: NFC, single spaces, each word capitalised."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


# --- Characters no field may hold (people.validators, the request middleware and the importers share these) ---
def describe_char(ch: str) -> str:
    """How a refused character is named on screen: itself if printable, else its Unicode code point."""
    if unicodedata.category(ch) in ("Cc", "Cs", "Cn", "Co", "Cf") or ch.isspace():
        return f"U+{ord(ch):04X}"
    return ch


def impossible_char(text: str, *, allow="\t\n\r") -> str | None:
    """The first character that must never be stored (NUL, other control characters, lone surrogates,
    non-characters), or None."""
    for ch in text or "":
        if ch in allow:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs") or ch in ("\ufffe", "\uffff"):
            return ch
    return None
