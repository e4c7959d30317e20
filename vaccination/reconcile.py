"""Reconciliation with the national population database (VNeID): what differs, per person, and what was fixed.

The other side's extract (CSV/XLSX, one row per dose as VNeID shows it; layout in docs/vaccination.md) is matched by
ID number (the key used by MOH/MPS, rules-research §5.6). Our doses are numbered by date (mũi 1, 2, 3 … as VNeID
counts them) and compared slot by slot.
"""
import io

from django.db import transaction

from audit.services import record
from core.errors import Invalid
from core.imports import (
    CELL_MAX,
    UNSTORABLE,
    UNSTORABLE_EN,
    UNSTORABLE_VI,
    Column,
    FileRejected,
    ImportResult,
    RowError,
    map_header,
    read_rows,
)
from core.parsing import ParseError, parse_date, parse_int
from core.scoping import scope
from core.text import fold, normalize_name
from people.rules import check_id_number

from .models import Injection, Product, ReconciliationRun

KINDS = {
    "unknown_person": ("Không có trong hệ thống", "Not in our records"),
    "name_mismatch": ("Sai họ tên", "Name differs"),
    "dob_mismatch": ("Sai ngày sinh", "Date of birth differs"),
    "missing_there": ("Thiếu mũi trên VNeID", "Dose missing on VNeID"),
    "missing_here": ("Thiếu mũi trong hệ thống", "Dose missing in our records"),
    "date_differs": ("Khác ngày tiêm", "Different date"),
    "product_differs": ("Khác loại vắc xin", "Different product"),
}
COLUMNS = [
    Column("id_number", ("Số định danh", "Số CCCD/CMND", "Mã định danh", "CCCD"), required=True),
    Column("full_name", ("Họ và tên", "Họ tên"), required=True),
    Column("dob", ("Ngày sinh",), required=True),
    Column("ordinal", ("Mũi số", "Mũi tiêm", "Mũi"), required=False),
    Column("given_on", ("Ngày tiêm",), required=False),
    Column("product", ("Tên vắc xin", "Vắc xin", "Loại vắc xin"), required=False),
]


def _product_lookup() -> dict[str, str]:
    out = {}
    for p in Product.objects.all():
        for name in [p.code, p.name, *p.aliases]:
            out[fold(name)] = p.code
    return out


def parse_extract(data: bytes, filename: str, counter: dict | None = None) -> tuple[dict, list]:
    """{id_number: {"name", "dob", "dob_text", "doses": {ordinal: (date, product code or text)}}}, row errors.
    `counter["rows"]`, when given, gets the number of data rows read."""
    header, body = read_rows(data, filename)
    index = map_header(header, COLUMNS)
    products = _product_lookup()
    people: dict[str, dict] = {}
    errors = []
    counter = counter if counter is not None else {}
    counter["rows"] = 0
    for line, cells in body:
        counter["rows"] += 1

        def cell(key, cells=cells):
            i = index.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        if any(isinstance(c, str) and (len(c) > CELL_MAX or UNSTORABLE.search(c)) for c in cells):
            # A NUL byte or a control character would reach the run's JSON (PostgreSQL refuses it): a row error.
            errors.append({"line": line, "vi": UNSTORABLE_VI, "en": UNSTORABLE_EN})
            continue
        ident = str(cell("id_number") or "").strip()
        try:  # the registry's rules (people.rules), as every import
            kind, ident = check_id_number(ident)
        except Invalid as exc:
            errors.append({"line": line, "vi": exc.vi, "en": exc.en})
            continue
        if kind not in ("cccd", "cmnd"):
            errors.append({"line": line, "vi": "Số định danh không hợp lệ.", "en": "Invalid ID number."})
            continue
        try:
            dob_text = str(cell("dob") or "").strip()
            dob = None if dob_text.isdigit() and len(dob_text) == 4 else parse_date(cell("dob"))
            ordinal = parse_int(cell("ordinal"))
            given = parse_date(cell("given_on"))
        except ParseError as exc:
            errors.append({"line": line, "vi": exc.vi, "en": exc.en})
            continue
        entry = people.setdefault(ident, {"name": str(cell("full_name") or "").strip(), "dob": dob, "dob_text": dob_text, "doses": {}})
        if ordinal and given:
            raw = str(cell("product") or "").strip()
            entry["doses"][ordinal] = (given, products.get(fold(raw), raw))
    return people, errors


def compare(theirs: dict, user) -> tuple[list[dict], dict]:
    from people.models import Person

    ids = list(theirs)
    ours = {p.id_number: p for p in scope(Person.objects.filter(id_number__in=ids, merged_into__isnull=True), user)}
    doses: dict[int, list] = {}
    for inj in Injection.objects.filter(person_id__in=[p.pk for p in ours.values()]).select_related("product").order_by("given_on", "id"):
        doses.setdefault(inj.person_id, []).append(inj)
    diffs = []
    for ident, t in theirs.items():
        p = ours.get(ident)
        if p is None:
            diffs.append({"id_number": ident, "person_id": None, "name": t["name"], "kind": "unknown_person", "dose": None,
                          "ours": "", "theirs": f"{t['name']} {t['dob_text']}"})
            continue
        base = {"id_number": ident, "person_id": p.pk, "name": p.full_name}
        # Diacritics count: "Binh" and "Bình" are different names on an identity document.
        if normalize_name(p.full_name).lower() != normalize_name(t["name"]).lower():
            diffs.append({**base, "kind": "name_mismatch", "dose": None, "ours": p.full_name, "theirs": t["name"]})
        if t["dob"] is not None and p.date_of_birth and p.date_of_birth != t["dob"] or (
                t["dob"] is None and t["dob_text"].isdigit() and int(t["dob_text"]) != p.birth_year):
            diffs.append({**base, "kind": "dob_mismatch", "dose": None, "ours": p.date_of_birth_display, "theirs": t["dob_text"]})
        mine = {n: inj for n, inj in enumerate(doses.get(p.pk, []), start=1)}
        for n in sorted(set(mine) | set(t["doses"])):
            a, b = mine.get(n), t["doses"].get(n)
            if a and not b:
                diffs.append({**base, "kind": "missing_there", "dose": n, "ours": f"{a.given_on:%d/%m/%Y} {a.product.code}", "theirs": ""})
            elif b and not a:
                diffs.append({**base, "kind": "missing_here", "dose": n, "ours": "", "theirs": f"{b[0]:%d/%m/%Y} {b[1]}"})
            else:
                if a.given_on != b[0]:
                    diffs.append({**base, "kind": "date_differs", "dose": n, "ours": f"{a.given_on:%d/%m/%Y}", "theirs": f"{b[0]:%d/%m/%Y}"})
                if a.product.code != b[1]:
                    diffs.append({**base, "kind": "product_differs", "dose": n, "ours": a.product.code, "theirs": b[1]})
    counts = {k: 0 for k in KINDS}
    for d in diffs:
        counts[d["kind"]] += 1
    counts["people_compared"] = len(theirs)
    counts["people_with_differences"] = len({d["id_number"] for d in diffs})
    return diffs, counts


def _key(d: dict) -> tuple:
    return d["id_number"], d["kind"], d["dose"]


@transaction.atomic
def run(*, by, data: bytes, filename: str) -> ReconciliationRun:
    counter: dict = {}
    theirs, errors = parse_extract(data, filename, counter)
    if errors and not theirs:
        raise FileRejected("Không đọc được dòng nào hợp lệ.", "No valid row could be read.")
    diffs, counts = compare(theirs, by)
    counts["rows_rejected"] = len(errors)
    previous = ReconciliationRun.objects.filter(created_by=by if getattr(by, "pk", None) else None).first()
    fixed = {}
    if previous is not None:
        now = {_key(d) for d in diffs}
        gone = [d for d in previous.differences if _key(d) not in now and d["id_number"] in theirs]
        for d in gone:
            fixed[d["kind"]] = fixed.get(d["kind"], 0) + 1
        fixed["total"] = len(gone)
    r = ReconciliationRun.objects.create(file_name=filename, created_by=by if getattr(by, "pk", None) else None, counts=counts,
                                         differences=diffs, fixed_since_previous=fixed)
    record(actor=by, action="import", target_label="vaccination.reconciliation", note=f"{filename}: {counts}",
           records={"run": r.pk, "errors": errors[:100]})
    r.row_errors, r.rows_read = errors, counter["rows"]  # for the batch's report (not stored on the run)
    return r


def run_reconciliation_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "vneid": compare a VNeID extract; the run's page holds the differences, the batch
    the rows that could not be read. A file with no readable row is rejected."""
    from django.urls import reverse

    r = run(by=batch.created_by, data=data, filename=batch.file_name)
    errors = [RowError(e["line"], None, e["vi"], e["en"]) for e in r.row_errors]
    progress(r.rows_read, r.rows_read)
    return ImportResult(
        total_rows=r.rows_read, imported=r.rows_read - len(errors), errors=errors, saved=True,
        notes=[f"{r.counts.get('people_with_differences', 0)} người có sai lệch / people with differences"],
        extra={"result_url": reverse("vaccination:reconciliation_detail", args=[r.pk])})


CORRECTION_HEADER = ["Số định danh", "Họ và tên", "Loại sai lệch", "Kind", "Mũi số", "Giá trị của hệ thống (đúng)",
                     "Giá trị trên VNeID", "Đề xuất"]


def corrections_csv(r: ReconciliationRun) -> str:
    """Corrections to send (documented layout): one row per difference with our value and theirs."""
    from core.exports import SafeWriter

    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(CORRECTION_HEADER)
    for d in r.differences:
        vi, en = KINDS[d["kind"]]
        action = {
            "missing_there": "Bổ sung mũi lên VNeID", "missing_here": "Kiểm tra, nhập mũi vào hệ thống",
            "date_differs": "Đối chiếu phiếu tiêm, sửa bên sai", "product_differs": "Đối chiếu phiếu tiêm, sửa bên sai",
            "name_mismatch": "Đối chiếu CCCD, sửa họ tên", "dob_mismatch": "Đối chiếu CCCD, sửa ngày sinh",
            "unknown_person": "Kiểm tra nơi cư trú, đăng ký người dân",
        }[d["kind"]]
        w.writerow([d["id_number"], d["name"], vi, en, d["dose"] or "", d["ours"], d["theirs"], action])
    return out.getvalue()
