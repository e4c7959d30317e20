"""The vaccination certificate (slots of Decision 43/QĐ-BYT: 3 primary, 1 additional, 3 boosters) as a PDF with a QR
code pointing to the public verification page, which shows only the name, birth year and doses."""
import io

from django.urls import reverse

SLOTS = [("primary", 1), ("primary", 2), ("primary", 3), ("additional", 1), ("booster", 1), ("booster", 2), ("booster", 3)]
SLOT_LABELS = {
    ("primary", 1): "Mũi cơ bản 1", ("primary", 2): "Mũi cơ bản 2", ("primary", 3): "Mũi cơ bản 3",
    ("additional", 1): "Mũi bổ sung", ("booster", 1): "Mũi nhắc lại 1", ("booster", 2): "Mũi nhắc lại 2",
    ("booster", 3): "Mũi nhắc lại 3",
}


def verify_url(cert, request=None) -> str:
    """The absolute address of a certificate's public check (its opaque code: vaccination.models.Certificate)."""
    from core.security import public_url

    return public_url(reverse("vaccination:verify", kwargs={"token": cert.token}), request)


def _fonts() -> tuple[str, str]:
    from core.pdf import register

    regular, bold, _ = register("sans")
    return regular, bold


def certificate_pdf(person, url: str) -> io.BytesIO:
    import segno
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader, simpleSplit
    from reportlab.pdfgen import canvas

    from .models import Injection

    regular, bold = _fonts()
    doses = {(i.dose_kind, i.dose_number): i for i in Injection.objects.filter(person=person).select_related("product", "facility")}
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5)
    width, height = A5
    c.setTitle("Giấy chứng nhận tiêm chủng COVID-19")
    c.setFont(bold, 10)
    c.drawCentredString(width / 2, height - 15 * mm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.setFont(regular, 9)
    c.drawCentredString(width / 2, height - 20 * mm, "Độc lập - Tự do - Hạnh phúc")
    c.setFont(bold, 12)
    c.drawCentredString(width / 2, height - 30 * mm, "GIẤY CHỨNG NHẬN TIÊM CHỦNG COVID-19")
    c.setFont(regular, 8)
    c.drawCentredString(width / 2, height - 35 * mm, "(Mẫu theo Quyết định 43/QĐ-BYT ngày 07/01/2022)")
    y = height - 45 * mm
    c.setFont(regular, 10)
    for label, value in [
        ("Họ và tên", person.full_name),
        ("Ngày sinh", person.date_of_birth_display),
        ("Số CCCD/CMND/Hộ chiếu", person.id_number or "—"),
        ("Điện thoại", person.phone or "—"),
        ("Địa chỉ", person.address_display),
    ]:
        # Long addresses wrap onto the next line instead of being cut mid-word.
        for line in simpleSplit(f"{label}: {value}", regular, 10, width - 24 * mm):
            c.drawString(12 * mm, y, line)
            y -= 5 * mm
        y -= 1 * mm
    y -= 2 * mm
    c.setFont(bold, 9)
    cols = [12 * mm, 42 * mm, 64 * mm, 104 * mm]
    for x, h in zip(cols, ["Mũi", "Ngày tiêm", "Vắc xin", "Số lô / Nơi tiêm"], strict=True):
        c.drawString(x, y, h)
    y -= 5 * mm
    c.setFont(regular, 9)
    for slot in SLOTS:
        inj = doses.get(slot)
        c.drawString(cols[0], y, SLOT_LABELS[slot])
        lines = 1
        if inj:
            c.drawString(cols[1], y, inj.given_on.strftime("%d/%m/%Y"))
            # Product names and places wrap within their column (they were cut mid-word at 22 and 26 characters).
            for col, text, right in ((2, inj.product.name, cols[3]), (3, f"{inj.lot} {inj.site}".strip(), width - 12 * mm)):
                wrapped = simpleSplit(text, regular, 9, right - cols[col] - 2 * mm)
                for i, line in enumerate(wrapped):
                    c.drawString(cols[col], y - i * 4 * mm, line)
                lines = max(lines, len(wrapped))
        else:
            c.drawString(cols[1], y, "—")
        bottom = y - (lines - 1) * 4 * mm
        c.line(12 * mm, bottom - 1.5 * mm, width - 12 * mm, bottom - 1.5 * mm)
        y = bottom - 6 * mm
    qr = segno.make(url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=1)
    png.seek(0)
    c.drawImage(ImageReader(png), width - 42 * mm, 10 * mm, 30 * mm, 30 * mm)
    c.setFont(regular, 7)
    c.drawString(12 * mm, 14 * mm, "Quét mã QR để xác minh / Scan the QR code to verify.")
    c.showPage()
    c.save()
    buf.seek(0)
    return buf
