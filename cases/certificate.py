"""The recovery certificate (giấy xác nhận khỏi bệnh COVID-19) as a PDF, with a QR code to the public check page.

The national form number under 261/QĐ-BYT was not found ([NF] in rules-research.md §3.2): this layout follows the
usual content (issuing station, name, year of birth, address, dates of confirmation and recovery).
"""
import io

import segno
from django.urls import reverse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas


def _register_fonts() -> tuple[str, str]:
    from core.pdf import register

    regular, bold, _ = register("sans")
    return regular, bold


def verify_url(cert, request=None) -> str:
    from core.security import public_url

    return public_url(reverse("cases:verify", args=[cert.verify_token]), request)


def _draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR matrix as squares (no image library needed)."""
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix) + 8  # quiet zone of 4 modules each side
    cell = size / n
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * cell, y + size - (r + 5) * cell, cell, cell, stroke=0, fill=1)


def render_pdf(cert, request=None) -> bytes:
    regular, bold = _register_fonts()
    case = cert.case
    person = case.person
    station = case.station.name if case.station_id else "Trạm Y tế"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"Giấy xác nhận khỏi bệnh COVID-19 – {cert.number}")
    width, height = A4
    c.setFont(bold, 11)
    c.drawString(20 * mm, height - 20 * mm, station.upper()[:60])
    c.drawRightString(width - 20 * mm, height - 20 * mm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.setFont(regular, 10)
    c.drawString(20 * mm, height - 26 * mm, f"Số: {cert.number}")
    c.drawRightString(width - 20 * mm, height - 26 * mm, "Độc lập – Tự do – Hạnh phúc")
    c.setFont(bold, 16)
    c.drawCentredString(width / 2, height - 45 * mm, "GIẤY XÁC NHẬN KHỎI BỆNH COVID-19")
    c.setFont(regular, 12)
    lines = [
        f"Họ và tên: {person.full_name}",
        f"Năm sinh: {person.birth_year}        Giới tính: {person.get_sex_display()}",
        f"Địa chỉ: {person.address_display}"[:95],
        f"Được xác định mắc COVID-19 ngày: {case.confirmed_on:%d/%m/%Y}",
        f"Nơi điều trị: {case.get_care_setting_display()}",
        f"Đã khỏi bệnh / hoàn thành cách ly ngày: {case.released_on:%d/%m/%Y}",
    ]
    y = height - 62 * mm
    for line in lines:
        c.drawString(25 * mm, y, line)
        y -= 9 * mm
    c.drawRightString(width - 25 * mm, y - 6 * mm, f"Ngày {cert.issued_on:%d} tháng {cert.issued_on:%m} năm {cert.issued_on:%Y}")
    c.setFont(bold, 12)
    c.drawRightString(width - 25 * mm, y - 13 * mm, "TRẠM TRƯỞNG")
    url = verify_url(cert, request)
    _draw_qr(c, url, 25 * mm, 25 * mm, 40 * mm)
    c.setFont(regular, 8)
    c.drawString(25 * mm, 20 * mm, "Quét mã QR để kiểm tra giấy xác nhận / Scan to verify")
    c.showPage()
    c.save()
    return buf.getvalue()
