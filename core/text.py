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
