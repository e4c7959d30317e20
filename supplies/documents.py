"""Files of the supplies app: XLSX of any list (formula-safe) and the warehouse notes as PDF (phiếu nhập kho,
phiếu xuất kho). Callers record the export in the audit trail."""
import io
from xml.sax.saxutils import escape

from django.utils import timezone

from core.exports import xlsx_append


def xlsx(title: str, header: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    xlsx_append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(ws, row)
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, min(40, len(str(h)) + 4))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _n(value) -> str:
    return f"{int(value):,}".replace(",", ".")


def note_pdf(*, title: str, number: str, store, counterpart: str, document: str, when, lines: list[tuple], signers: list[str]) -> bytes:
    """A warehouse note: header, lines (item, unit, lot, expiry, quantity) and signature boxes. Every text is escaped:
    reportlab's Paragraph reads markup, and names, lots and documents are typed by users."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.pdf import register

    regular, bold, italic = register("serif")
    p = ParagraphStyle("p", fontName=regular, fontSize=10.5, leading=14)
    h = ParagraphStyle("h", parent=p, fontName=bold, fontSize=15, alignment=1, leading=20)
    c = ParagraphStyle("c", parent=p, alignment=1)
    e = lambda s: escape(str(s or ""))  # noqa: E731
    story = [
        Paragraph(e(store.name).upper(), ParagraphStyle("u", parent=p, fontName=bold)),
        Spacer(1, 4 * mm),
        Paragraph(e(title), h),
        Paragraph(f"Số: {e(number)} — {timezone.localtime(when):%d/%m/%Y %H:%M}" if when else f"Số: {e(number)}", c),
        Spacer(1, 4 * mm),
        Paragraph(f"Kho: {e(store.name)}", p),
        Paragraph(e(counterpart), p),
        Paragraph(f"Chứng từ: {e(document) or '—'}", p),
        Spacer(1, 4 * mm),
    ]
    data = [[Paragraph(f"<b>{e(x)}</b>", p) for x in ("STT", "Tên vật tư", "ĐVT", "Số lô", "Hạn dùng", "Số lượng")]]
    for i, (name, unit, lot, expires, qty) in enumerate(lines, start=1):
        data.append([str(i), Paragraph(e(name), p), Paragraph(e(unit), p), Paragraph(e(lot) or "—", p),
                     expires.strftime("%d/%m/%Y") if expires else "—", _n(qty)])
    table = Table(data, colWidths=[10 * mm, 62 * mm, 18 * mm, 28 * mm, 24 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), regular),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (-1, 1), (-1, -1), "RIGHT")]))
    story += [table, Spacer(1, 10 * mm)]
    sig = Table([[Paragraph(f"<b>{e(s)}</b><br/><i>(Ký, ghi rõ họ tên)</i>", ParagraphStyle("s", parent=c, fontName=regular)) for s in signers]],
                colWidths=[170 * mm / len(signers)] * len(signers))
    story.append(sig)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                      title=title).build(story)
    return buf.getvalue()


def receipt_note(movements) -> bytes:
    """Phiếu nhập kho of the movements of one receipt (same store and document)."""
    first = movements[0]
    return note_pdf(title="PHIẾU NHẬP KHO", number=f"PN-{first.pk:06d}", store=first.store,
                    counterpart=f"Nguồn: {first.get_source_display() or first.get_kind_display()}", document=first.document,
                    when=first.at, lines=[(str(m.item), m.item.unit, m.lot.code, m.lot.expires_on, m.quantity) for m in movements],
                    signers=["Người giao hàng", "Thủ kho", "Thủ trưởng đơn vị"])


def dispatch_note(transfer) -> bytes:
    """Phiếu xuất kho of a transfer."""
    lines = list(transfer.lines.select_related("item", "lot"))
    return note_pdf(title="PHIẾU XUẤT KHO", number=str(transfer), store=transfer.from_store,
                    counterpart=f"Xuất cho: {transfer.to_store.name}", document=transfer.document, when=transfer.dispatched_at,
                    lines=[(str(ln.item), ln.item.unit, ln.lot.code, ln.lot.expires_on, ln.dispatched) for ln in lines],
                    signers=["Người lập phiếu", "Thủ kho", "Người nhận hàng", "Thủ trưởng đơn vị"])
