"""Fonts for PDFs with Vietnamese text (certificates, door-to-door lists, situation reports).

The DejaVu families come from the npm package `dejavu-fonts-ttf` (installed by `make install` with the other
front-end packages), then from the system; each candidate is checked for Vietnamese letters before use, since some
builds of common families lack them. PHONGDICH_PDF_FONT (settings) may name other files.
"""
from pathlib import Path

from django.conf import settings

VIETNAMESE_SAMPLE = "ỦỘỈƯưởđĐạếữ"
_NPM = Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"
_SYSTEM = Path("/usr/share/fonts/truetype/dejavu")
FAMILIES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
}


def register(family: str = "sans") -> tuple[str, str, str]:
    """Register the family with reportlab once; returns the (regular, bold, italic) font names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = (f"VN-{family}", f"VN-{family}-Bold", f"VN-{family}-Italic")
    if names[0] in pdfmetrics.getRegisteredFontNames():
        return names
    candidates = [tuple(getattr(settings, "PHONGDICH_PDF_FONT", ()) or ())] if getattr(settings, "PHONGDICH_PDF_FONT", None) else []
    candidates += [tuple(str(folder / f) for f in FAMILIES[family]) for folder in (_NPM, _SYSTEM)]
    for paths in candidates:
        if len(paths) != 3 or not all(Path(p).exists() for p in paths):
            continue
        faces = [TTFont(name, path) for name, path in zip(names, paths, strict=True)]
        if not all(all(ord(ch) in f.face.charWidths for ch in VIETNAMESE_SAMPLE) for f in faces):
            continue
        for f in faces:
            pdfmetrics.registerFont(f)
        return names
    raise RuntimeError(
        "Không tìm thấy phông chữ tiếng Việt: chạy `make install` (gói npm dejavu-fonts-ttf) / "
        "No Vietnamese-capable font: run `make install` (npm package dejavu-fonts-ttf) or set PHONGDICH_PDF_FONT"
    )


# Control characters other than tab and newline have no glyph and break reportlab's parser.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))
_CONTROL[127] = None


def markup_text(value) -> str:
    """Plain text made safe for reportlab Paragraph markup: `<`, `>` and `&` escaped, so a resident named
    `<img src=x>` or `<a href=…>` prints as those characters instead of failing the PDF or becoming a live link."""
    from xml.sax.saxutils import escape

    return escape(str(value if value is not None else "").translate(_CONTROL))


def paragraph(value, style):
    """A reportlab Paragraph of plain text (never markup): every PDF builds its text cells through here."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup_text(value), style)
