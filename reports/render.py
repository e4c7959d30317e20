"""The daily report as DOCX, PDF (Decree 30/2020/NĐ-CP layout) and XLSX.

The content is built once as blocks (paragraphs and tables) from the report data; each format renders the blocks.
Layout per Decree 30/2020/NĐ-CP, Appendix I: issuing body (parent body above it) on the left and the national
motto on the right of the header; number and symbol under the issuer; place and date (italic) under the motto;
the kind of document (BÁO CÁO) and the subject centred; recipients ("Nơi nhận") bottom left; the signing
capacity and the signer's name bottom right. Font: Times New Roman family (Liberation Serif / DejaVu Serif as
Vietnamese-capable TrueType fonts for the PDF).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

BANDS_VI = {"0-4": "0–4 tuổi", "5-11": "5–11 tuổi", "12-17": "12–17 tuổi", "18-49": "18–49 tuổi", "50-64": "50–64 tuổi", "65+": "65 tuổi trở lên"}
DOSES_VI = {"dose1": "Ít nhất 1 mũi", "full": "Đủ liều cơ bản", "booster": "Mũi nhắc lại"}


@dataclass
class Block:
    kind: str  # "heading", "para", "table"
    text: str = ""
    rows: list[list] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    title: str = ""


def n(value) -> str:
    """Vietnamese number format: dot thousands, comma decimals."""
    if value is None:
        return "—"
    if isinstance(value, float):
        s = f"{value:,.2f}"
    else:
        s = f"{int(value):,}"
    return s.replace(",", "X").replace(".", ",").replace("X", ".")


def blocks(data: dict) -> list[Block]:
    s = data["sections"]
    day = dt.date.fromisoformat(data["day"])
    out: list[Block] = []
    part = 0

    def heading(text):
        nonlocal part
        part += 1
        out.append(Block("heading", f"{_roman(part)}. {text}"))

    if "outside" in s:
        o = s["outside"]
        heading("TÌNH HÌNH CHUNG")
        bits = []
        if o.get("national_cases"):
            bits.append(f"Cả nước có {n(o['national_cases'])} ca nhiễm COVID-19")
            if o.get("world_rank") and o.get("countries"):
                bits[-1] += f", đứng thứ {o['world_rank']}/{o['countries']} quốc gia và vùng lãnh thổ"
        if o.get("national_per_million"):
            rank = f" (xếp thứ {o['world_rank_per_million']}/{o['countries']})" if o.get("world_rank_per_million") and o.get("countries") else ""
            bits.append(f"bình quân {n(o['national_per_million'])} ca/1 triệu dân{rank}")
        if o.get("national_deaths") is not None and o.get("national_cfr") is not None:
            bits.append(f"{n(o['national_deaths'])} ca tử vong, chiếm tỷ lệ {n(o['national_cfr'])}% so với tổng số ca nhiễm")
        if bits:
            out.append(Block("para", "; ".join(bits) + (f" (nguồn: {o['source']})." if o.get("source") else ".")))
        if o.get("province_per_million") is not None or o.get("province_cfr") is not None:
            out.append(Block("para", f"Tại tỉnh: {n(o.get('province_per_million'))} ca/1 triệu dân; tỷ lệ tử vong {n(o.get('province_cfr'))}%."))
    if "cases" in s:
        c = s["cases"]
        heading("TÌNH HÌNH CA BỆNH")
        out.append(Block("para", (
            f"Trong ngày ghi nhận {n(c['new']['total'])} ca mắc mới (cộng đồng: {n(c['new']['community'])}; "
            f"trong khu cách ly/đang cách ly: {n(c['new']['quarantine'])}; tại cơ sở y tế/khu phong tỏa: {n(c['new']['facility'])}). "
            f"Cộng dồn {n(c['cumulative'])} ca; khỏi bệnh trong ngày {n(c['recovered_today'])}, cộng dồn {n(c['recovered'])}; "
            f"tử vong trong ngày {n(c['deaths_today'])}, cộng dồn {n(c['deaths'])}.")))
        out.append(Block("para", (
            f"Đang điều trị: tại nhà {n(c['active_home'])}; tại cơ sở thu dung, điều trị tập trung {n(c['active_centralised'])}; "
            f"tại bệnh viện {n(c['active_hospital'])}.")))
        if c["communes"]:
            out.append(Block("table", title="Ca mắc mới theo xã, phường, thị trấn",
                             header=["Huyện/thành phố", "Xã/phường", "Cộng đồng", "Cách ly", "Cơ sở y tế", "Tổng"],
                             rows=[[r["district"], r["commune"], r["community"], r["quarantine"], r["facility"], r["total"]] for r in c["communes"]]))
    if "contacts" in s:
        heading("TRUY VẾT, CÁCH LY")
        out.append(Block("para", f"F1 đang cách ly: {n(s['contacts']['f1_in_quarantine'])}; F1 mới ghi nhận trong ngày: {n(s['contacts']['f1_new'])}."))
    if "testing" in s:
        t = s["testing"]
        heading("XÉT NGHIỆM")
        out.append(Block("para", f"Trong ngày lấy {n(t['today'])} mẫu, {n(t['positive_today'])} mẫu dương tính; cộng dồn {n(t['cumulative'])} mẫu."))
    if "vaccination" in s:
        v = s["vaccination"]
        heading("TIÊM CHỦNG VẮC XIN")
        rows = []
        for band, cells in v["bands"].items():
            rows.append([BANDS_VI.get(band, band)] + [_pct(cells[d]) for d in ("dose1", "full", "booster")])
        for g in ("18+", "all"):
            if g in v["groups"]:
                rows.append(["Từ 18 tuổi" if g == "18+" else "Toàn dân"] + [_pct(v["groups"][g][d]) for d in ("dose1", "full", "booster")])
        out.append(Block("table", title="Tỷ lệ bao phủ theo nhóm tuổi", header=["Nhóm tuổi", *DOSES_VI.values()], rows=rows))
        if v.get("denominator_note"):
            out.append(Block("para", v["denominator_note"]["vi"]))
    if "levels" in s:
        lv = s["levels"]
        heading("CẤP ĐỘ DỊCH")
        c = lv["communes_by_level"]
        out.append(Block("para", f"Số xã theo cấp độ dịch: cấp 1: {c.get('1', 0)}; cấp 2: {c.get('2', 0)}; cấp 3: {c.get('3', 0)}; cấp 4: {c.get('4', 0)}."))
        if lv["high"]:
            out.append(Block("table", title="Xã ở cấp độ 3, 4", header=["Xã/phường", "Cấp độ"], rows=[[h["unit"], h["level"]] for h in lv["high"]]))
    if "tasks" in s:
        tk = s["tasks"]
        heading("THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO")
        out.append(Block("para", f"Số nhiệm vụ quá hạn chưa hoàn thành: {n(tk['overdue_count'])}."))
        if tk["overdue"]:
            out.append(Block("table", title="Nhiệm vụ quá hạn", header=["Cơ quan", "Văn bản", "Mục", "Hạn", "Nội dung"],
                             rows=[[r["agency"], r["directive"], r["ref"], dt.date.fromisoformat(r["deadline"]).strftime("%d/%m/%Y"), r["text"]]
                                   for r in tk["overdue"][:60]]))
    if "supplies" in s:
        sp = s["supplies"]
        heading("VẬT TƯ, THUỐC, SINH PHẨM")
        out.append(Block("para", f"Số lô còn hạn dưới 30 ngày: {n(sp['expiring_30d_lots'])}; "
                                 f"số lần chăm sóc thiếu vật tư chưa xử lý: {n(sp['open_shortfalls'])}."))
        if sp["items"]:
            out.append(Block("table", title="Tồn kho toàn tỉnh", header=["Vật tư", "ĐVT", "Tồn", "Tiêu thụ 14 ngày", "Số ngày còn đủ dùng"],
                             rows=[[r["item"], r["unit"], n(r["quantity"]), n(r["consumed_14d"]), n(r["days_left"])] for r in sp["items"]]))
    if s.get("diseases", {}).get("diseases"):
        heading("TÌNH HÌNH CÁC BỆNH TRUYỀN NHIỄM")
        for d in s["diseases"]["diseases"]:
            change = "" if d["change"] is None else f" ({'+' if d['change'] > 0 else ''}{n(float(d['change']))}%)"
            out.append(Block("para", (
                f"{d['name']}: trong ngày ghi nhận {n(d['today']['value'])} ca; 7 ngày qua {n(d['this_week']['value'])} ca, "
                f"7 ngày trước đó {n(d['last_week']['value'])} ca{change}; cộng dồn từ đầu năm {n(d['cumulative'])} ca.")))
            if d["rising"]:
                out.append(Block("table", title=f"{d['name']}: xã, phường tăng nhanh nhất",
                                 header=["Xã/phường", "7 ngày qua", "7 ngày trước", "Tăng"],
                                 rows=[[r["unit"], r["value"], r["last"], r["rise"]] for r in d["rising"]]))
    if not out:
        out.append(Block("para", "Chưa có số liệu."))
    out.insert(0, Block("para", f"Số liệu tính đến {_cut(data)} ngày {day:%d/%m/%Y}."))
    return out


def _pct(cell) -> str:
    if cell["percentage"] is None:
        return n(cell["numerator"])
    if cell.get("over"):  # never a plain figure over 100 %: with its reason (vaccination.services._cell)
        return f"> 100% (vượt dân số ước tính: {n(cell['numerator'])}/{n(cell['denominator'])})"
    return f"{n(cell['percentage'])}% ({n(cell['numerator'])}/{n(cell['denominator'])})"


def _cut(data) -> str:
    if data.get("cut_at"):
        return dt.datetime.fromisoformat(data["cut_at"]).strftime("%H giờ %M")
    return "07 giờ 00"


def _roman(i: int) -> str:
    return ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][i]


def header_fields(report, setup) -> dict:
    day = report.day
    return {
        "parent": setup.issuer_parent.upper(), "issuer": setup.issuer.upper(),
        "number": f"Số: {report.number}" if report.number else f"Số:      /{setup.symbol}",
        "motto1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto2": "Độc lập - Tự do - Hạnh phúc",
        "place_date": f"{setup.place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}",
        "kind": "BÁO CÁO",
        "subject": f"Tình hình dịch COVID-19 trên địa bàn tỉnh đến {_cut(report.data)} ngày {day:%d/%m/%Y}",
        "recipients": [r.strip() for r in setup.recipients.splitlines() if r.strip()],
        "capacity": [c.strip() for c in setup.signer_capacity.splitlines() if c.strip()],
        "signer": setup.signer,
    }


# --- DOCX ----------------------------------------------------------------------------------------------------
def to_docx(report, setup, *, content: list[Block] | None = None, header: dict | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    h = header or header_fields(report, setup)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Cm(2), Cm(2), Cm(3), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def cell_lines(cell, lines):
        cell.paragraphs[0].text = ""
        first = True
        for text, bold, italic, underline, size in lines:
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
            run.font.size = Pt(size)

    table = doc.add_table(rows=1, cols=2)
    cell_lines(table.cell(0, 0), [(h["parent"], False, False, False, 12), (h["issuer"], True, False, True, 12), (h["number"], False, False, False, 13)])
    cell_lines(table.cell(0, 1), [(h["motto1"], True, False, False, 12), (h["motto2"], True, False, True, 13), (h["place_date"], False, True, False, 13)])
    for text, bold in ((h["kind"], True), (h["subject"], True)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = bold
    for b in (content if content is not None else blocks(report.data)):
        if b.kind == "heading":
            doc.add_paragraph().add_run(b.text).bold = True
        elif b.kind == "para":
            p = doc.add_paragraph(b.text)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
        else:
            doc.add_paragraph().add_run(b.title).italic = True
            t = doc.add_table(rows=1, cols=len(b.header))
            t.style = "Table Grid"
            for i, col in enumerate(b.header):
                t.cell(0, i).text = col
                t.cell(0, i).paragraphs[0].runs[0].bold = True
            for row in b.rows:
                cells = t.add_row().cells
                for i, v in enumerate(row):
                    cells[i].text = n(v) if isinstance(v, int) else str(v)
    sig = doc.add_table(rows=1, cols=2)
    left = sig.cell(0, 0)
    left.paragraphs[0].add_run("Nơi nhận:").bold = True
    for r in h["recipients"]:
        left.add_paragraph(f"- {r}").runs[0].font.size = Pt(11)
    cell_lines(sig.cell(0, 1), [(c, True, False, False, 13) for c in h["capacity"]] + [("", False, False, False, 13)] * 3
               + [(h["signer"] or "", True, False, False, 13)])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------------
def _fonts() -> tuple[str, str, str]:
    from core.pdf import register

    return register("serif")  # Decree 30 documents are set in a serif face


def to_pdf(report, setup, *, content: list[Block] | None = None, header: dict | None = None) -> bytes:
    """The report as PDF; `content`/`header` replace the daily report's blocks and header (Circular 54 reports).
    Tables wider than 8 columns turn the page to landscape."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.pdf import markup_text, paragraph

    regular, bold, italic = _fonts()
    h = header or header_fields(report, setup)
    content = content if content is not None else blocks(report.data)
    wide = any(b.kind == "table" and len(b.header) > 8 for b in content)
    body = ParagraphStyle("body", fontName=regular, fontSize=13, leading=17, alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=4)
    center = ParagraphStyle("c", fontName=regular, fontSize=12, leading=15, alignment=TA_CENTER)
    center_b = ParagraphStyle("cb", parent=center, fontName=bold)
    center_i = ParagraphStyle("ci", parent=center, fontName=italic, fontSize=13)
    head = ParagraphStyle("h", fontName=bold, fontSize=13, leading=17, spaceBefore=6)
    small = ParagraphStyle("s", fontName=regular, fontSize=10, leading=12)
    small_b = ParagraphStyle("sb", parent=small, fontName=bold)
    P = paragraph
    story = []
    motto = ParagraphStyle("m", parent=center_b, fontSize=10.5)
    header = Table([
        [P(h["parent"], center), P(h["motto1"], motto)],
        [Paragraph(f"<u>{markup_text(h['issuer'])}</u>", center_b), Paragraph(f"<u>{markup_text(h['motto2'])}</u>", center_b)],
        [P(h["number"], center), P(h["place_date"], center_i)],
    ], colWidths=[6.5 * cm, 9.5 * cm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [header, Spacer(1, 0.5 * cm), P(h["kind"], ParagraphStyle("k", parent=center_b, fontSize=14)),
              P(h["subject"], ParagraphStyle("sub", parent=center_b, fontSize=13)), Spacer(1, 0.4 * cm)]
    for b in content:
        if b.kind == "heading":
            story.append(P(b.text, head))
        elif b.kind == "para":
            story.append(P(b.text, body))
        else:
            story.append(P(b.title, ParagraphStyle("t", fontName=italic, fontSize=12, leading=15)))
            # Numbers are plain cells (a Paragraph per figure made a 100-commune × 14-column table take seconds).
            rows = [[P(c, small_b) for c in b.header]] + [[n(v) if isinstance(v, int) else P(v, small) for v in row] for row in b.rows]
            t = Table(rows, repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
            story += [t, Spacer(1, 0.3 * cm)]
    left = [P("Nơi nhận:", ParagraphStyle("nn", fontName=bold, fontSize=12))] + [P(f"- {r}", ParagraphStyle("r", fontName=regular, fontSize=11)) for r in h["recipients"]]
    right = [P(c, ParagraphStyle("cap", parent=center_b, fontSize=13)) for c in h["capacity"]] + [Spacer(1, 2 * cm), P(h["signer"] or "", center_b)]
    sig = Table([[left, right]], colWidths=[8 * cm, 8 * cm])
    sig.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 0.6 * cm), sig]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4) if wide else A4, leftMargin=(1.5 if wide else 3) * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm,
                      title=h["subject"]).build(story)
    return buf.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------------
def to_xlsx(report, setup, *, content: list[Block] | None = None, header: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from core.exports import xlsx_append

    wb = Workbook()
    ws = wb.active
    ws.title = "Tong hop"
    xlsx_append(ws, [(header or header_fields(report, setup))["subject"]])
    ws["A1"].font = Font(bold=True)
    tables = 0
    for b in (content if content is not None else blocks(report.data)):
        if b.kind == "heading":
            xlsx_append(ws, [])
            xlsx_append(ws, [b.text])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        elif b.kind == "para":
            xlsx_append(ws, [b.text])
        else:
            tables += 1
            sheet = wb.create_sheet(f"Bang {tables}")
            xlsx_append(sheet, [b.title])
            xlsx_append(sheet, b.header)
            for c in sheet[2]:
                c.font = Font(bold=True)
            for row in b.rows:
                xlsx_append(sheet, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
