"""Diacritic folding and name normalisation: what makes "nguyen van an" find "Nguyễn Văn An"."""
import pytest

from core.text import fold, normalize_name


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Ân", "nguyen van an"),
        ("Đặng Đức Độ", "dang duc do"),
        ("đắk hà", "dak ha"),
        ("ĐĂK GLEI", "dak glei"),
        ("Phường  Quang\tTrung ", "phuong quang trung"),
        ("Y Hơn", "y hon"),
        ("Ơ Đu", "o du"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_folds_vietnamese_text_to_lower_case_ascii(text, folded):
    assert fold(text) == folded


def test_it_folds_decomposed_unicode_like_composed():
    # Phones and old Windows software often send decomposed (NFD) text: the same name must fold the same way.
    import unicodedata

    composed = "Nguyễn Thị Thủy"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "nguyen thi thuy"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("  nguyễn   văn   an ", "Nguyễn Văn An"),
        ("TRẦN THỊ BÌNH", "Trần Thị Bình"),
        ("đặng đức độ", "Đặng Đức Độ"),
        ("y hơn", "Y Hơn"),
        ("", ""),
    ],
)
def test_it_normalises_names_as_vietnamese_write_them(typed, normalised):
    assert normalize_name(typed) == normalised


def test_it_normalises_names_to_composed_unicode():
    import unicodedata

    assert normalize_name(unicodedata.normalize("NFD", "Lê Thị Hồng")) == unicodedata.normalize("NFC", "Lê Thị Hồng")
