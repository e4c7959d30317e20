"""Lab result import: a lab's result sheet (CSV/XLSX) matched to samples already recorded, all-or-nothing.

Layout (headers are matched without diacritics or case; English aliases accepted):
    Mã mẫu | Ngày lấy mẫu | Ngày trả kết quả | Kết quả | CT | Loại xét nghiệm
    Sample ID | Sample date | Result date | Result | CT | Test kind
"Mã mẫu", "Ngày trả kết quả" and "Kết quả" are required; "Ngày lấy mẫu", when given, must match the sample.
Results: Âm tính / Dương tính / Không xác định (also negative/positive/invalid, âm/dương, -/+). Dates dd/mm/yyyy.
"""
from django.db import connection
from django.utils import timezone

from audit.services import record
from core.imports import Column, ImportResult, RowError, RowInvalid, TableImporter
from core.parsing import ParseError, parse_date, parse_decimal
from core.scoping import visible_units
from core.text import fold

from .models import Result, Test, TestKind
from .rules import KIND_NAMES, LAB_KINDS, allowed_kinds, kind_refusal

RESULTS = {
    "am tinh": Result.NEGATIVE, "am": Result.NEGATIVE, "negative": Result.NEGATIVE, "neg": Result.NEGATIVE, "-": Result.NEGATIVE,
    "duong tinh": Result.POSITIVE, "duong": Result.POSITIVE, "positive": Result.POSITIVE, "pos": Result.POSITIVE, "+": Result.POSITIVE,
    "khong xac dinh": Result.INVALID, "invalid": Result.INVALID,
}
# The optional "Loại xét nghiệm" column: codes, Vietnamese labels or the usual short names, folded.
KINDS = {**{k: k for k in TestKind.values}, **{fold(str(label)): k for k, label in TestKind.choices},
         "rt-pcr": TestKind.RT_PCR, "pcr": TestKind.RT_PCR, "test nhanh": TestKind.RAPID_ANTIGEN, "rapid antigen": TestKind.RAPID_ANTIGEN,
         "igm antibody test": TestKind.IGM, "khang the igm": TestKind.IGM, "ns1 antigen test": TestKind.NS1, "khang nguyen ns1": TestKind.NS1}


class LabResultImporter(TableImporter):
    audit_label = "testing.lab_results"
    columns = [
        Column("sample_code", ("Mã mẫu", "Ma mau", "Sample ID", "Sample code"), required=True),
        Column("taken_on", ("Ngày lấy mẫu", "Sample date", "Taken on")),
        Column("reported_on", ("Ngày trả kết quả", "Result date", "Reported on"), required=True),
        Column("result", ("Kết quả", "Result"), required=True),
        Column("ct_value", ("CT", "Giá trị CT", "CT value")),
        Column("kind", ("Loại xét nghiệm", "Test kind", "Kind")),
    ]

    def __init__(self, **kw):
        super().__init__(**kw)
        self.today = timezone.localdate()
        self._result_cache: dict[str, str | None] = {}
        self._date_cache: dict = {}

    def _date(self, raw):
        # A lab sheet repeats a handful of dates over thousands of rows: parse each text once.
        key = raw if isinstance(raw, str) else None
        if key is not None and key in self._date_cache:
            return self._date_cache[key]
        value = parse_date(raw)
        if key is not None:
            self._date_cache[key] = value
        return value

    def _result(self, raw) -> str | None:
        text = str(raw or "").strip()
        if text not in self._result_cache:
            self._result_cache[text] = RESULTS.get(fold(text))
        return self._result_cache[text]

    def clean_row(self, values: dict, line: int) -> dict:
        errors = []
        code = str(values.get("sample_code") or "").strip()
        if code.endswith(".0") and code[:-2].isdigit():  # a numeric code read from a spreadsheet cell
            code = code[:-2]
        if not code:
            errors.append(("Mã mẫu", "Thiếu mã mẫu.", "Sample ID is missing."))
        out = {"sample_code": code}
        for key, col in (("taken_on", "Ngày lấy mẫu"), ("reported_on", "Ngày trả kết quả")):
            try:
                out[key] = self._date(values.get(key))
            except ParseError as exc:
                errors.append((col, exc.vi, exc.en))
        if "reported_on" in out and out["reported_on"] is None:
            errors.append(("Ngày trả kết quả", "Thiếu ngày trả kết quả.", "Result date is missing."))
        today = self.today
        for key, col in (("taken_on", "Ngày lấy mẫu"), ("reported_on", "Ngày trả kết quả")):
            if out.get(key) and out[key] > today:
                errors.append((col, f"Ngày {out[key]:%d/%m/%Y} ở tương lai.", f"Date {out[key]:%d/%m/%Y} is in the future."))
        if out.get("taken_on") and out.get("reported_on") and out["reported_on"] < out["taken_on"]:
            errors.append(("Ngày trả kết quả", "Ngày trả kết quả trước ngày lấy mẫu.", "The result date is before the sample date."))
        result = self._result(values.get("result"))
        if result is None:
            errors.append(("Kết quả", f"Kết quả không hợp lệ: “{values.get('result') or ''}”.", f"Unknown result: “{values.get('result') or ''}”."))
        out["result"] = result
        try:
            ct = parse_decimal(values.get("ct_value"))
            if ct is not None and not 0 < ct <= 45:
                errors.append(("CT", f"Giá trị CT {ct} ngoài khoảng 0–45.", f"CT value {ct} is outside 0–45."))
            out["ct_value"] = ct
        except ParseError as exc:
            errors.append(("CT", exc.vi, exc.en))
        raw_kind = str(values.get("kind") or "").strip()
        out["kind"] = KINDS.get(fold(raw_kind)) if raw_kind else None
        if raw_kind and out["kind"] is None:
            errors.append(("Loại xét nghiệm", f"Loại xét nghiệm không hợp lệ: “{raw_kind}”.", f"Unknown test kind: “{raw_kind}”."))
        if errors:
            raise RowInvalid(errors)
        return out

    def check_rows(self, rows):
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        codes = [r["sample_code"] for _, r in rows]
        known: dict[str, tuple] = {}
        self.disease_of: dict[str, int | None] = {}
        fits: dict[int | None, set] = {}  # kinds each disease takes, read once per disease (testing.rules)
        # Looked up by the unique sample code, then kept only inside the importer's jurisdiction (the same rule as
        # core.scoping for Test.jurisdiction_field = "person__commune", applied to the communes the user may see):
        # a sample outside it is reported as unknown.
        visible_communes = None if self.by.sees_everything else set(visible_units(self.by).values_list("pk", flat=True))
        for row in self._lookup(codes):
            if visible_communes is None or row[7] in visible_communes:
                known[row[0]] = row[1:7]
                self.disease_of[row[0]] = row[8]
        self.known = known
        for line, r in rows:
            code = r["sample_code"]
            if code in seen:
                errors.append(RowError(line, "Mã mẫu", f"Mã mẫu {code} trùng với dòng {seen[code]}.", f"Sample ID {code} repeats line {seen[code]}."))
                continue
            seen[code] = line
            info = known.get(code)
            if info is None:
                errors.append(RowError(line, "Mã mẫu", f"Không có mẫu mã {code}.", f"Unknown sample ID {code}."))
                continue
            _id, taken_on, kind, result, _v, _pm = info
            if r["taken_on"] and r["taken_on"] != taken_on:
                errors.append(RowError(line, "Ngày lấy mẫu", f"Ngày lấy mẫu khác với mẫu đã ghi ({taken_on:%d/%m/%Y}).",
                                       f"The sample date differs from the recorded sample ({taken_on:%d/%m/%Y})."))
            elif r["reported_on"] < taken_on:
                errors.append(RowError(line, "Ngày trả kết quả", f"Ngày trả kết quả trước ngày lấy mẫu ({taken_on:%d/%m/%Y}).",
                                       f"The result date is before the sample was taken ({taken_on:%d/%m/%Y})."))
            elif r.get("kind") in LAB_KINDS and r["kind"] not in self._fits(fits, self.disease_of.get(code)):
                vi, en = kind_refusal(r["kind"], self._disease(self.disease_of.get(code)))
                errors.append(RowError(line, "Loại xét nghiệm", vi, en))
            elif r.get("kind") and r["kind"] != kind:
                vi, en = KIND_NAMES.get(kind, (kind, kind))
                errors.append(RowError(line, "Loại xét nghiệm", f"Mẫu {code} đã ghi là loại khác ({vi}).",
                                       f"Sample {code} was recorded as another kind ({en})."))
            elif r["ct_value"] is not None and kind != TestKind.RT_PCR:
                errors.append(RowError(line, "CT", "Chỉ xét nghiệm RT-PCR có giá trị CT.", "Only RT-PCR tests have a CT value."))
            elif result not in (Result.PENDING, r["result"]):
                errors.append(RowError(line, "Kết quả", "Mẫu đã có kết quả khác; sửa trên hồ sơ xét nghiệm.",
                                       "The sample already has a different result; correct it on the test record."))
        return errors

    def _disease(self, disease_id):
        from diseases.selectors import get_disease

        return get_disease(disease_id)  # a pk, or None: the installation's default disease

    def _fits(self, cache: dict, disease_id) -> set:
        if disease_id not in cache:
            cache[disease_id] = set(allowed_kinds(self._disease(disease_id), self.today))
        return cache[disease_id]

    @staticmethod
    def _lookup(codes: list[str]):
        fields = ("sample_code", "id", "taken_on", "kind", "result", "version", "pool_member_id", "person__commune_id", "disease_id")
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of placeholders.
            t, p = Test._meta.db_table, "people_person"
            with connection.cursor() as cur:
                for i in range(0, len(codes), 50000):
                    cur.execute(
                        f"SELECT t.sample_code, t.id, t.taken_on, t.kind, t.result, t.version, t.pool_member_id, p.commune_id, t.disease_id "
                        f"FROM {t} t JOIN {p} p ON p.id = t.person_id WHERE t.sample_code = ANY(%s)", [codes[i:i + 50000]])
                    yield from cur.fetchall()
            return
        for i in range(0, len(codes), 5000):
            yield from Test.objects.filter(sample_code__in=codes[i:i + 5000]).values_list(*fields)

    def save_rows(self, rows, result: ImportResult) -> None:
        table = Test._meta.db_table
        updates = []
        pool_tests = []
        for _line, r in rows:
            _id, _taken, _kind, current, _v, pool_member = self.known[r["sample_code"]]
            if current == r["result"]:
                result.skipped_duplicates += 1
                continue
            updates.append((r["result"], r["reported_on"], r["ct_value"], _id))
            if pool_member:
                pool_tests.append(_id)
        # Conditional on the sample still pending: a result entered meanwhile by hand is not overwritten.
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # One UPDATE … FROM unnest(arrays) per 20,000 rows: four parameters whatever the number of rows.
                for i in range(0, len(updates), 20000):
                    chunk = updates[i:i + 20000]
                    cur.execute(
                        f"UPDATE {table} AS t SET result = v.result, reported_on = v.reported_on, ct_value = v.ct, "
                        f"version = t.version + 1 FROM unnest(%s::text[], %s::date[], %s::numeric[], %s::bigint[]) "
                        f"AS v(result, reported_on, ct, id) WHERE t.id = v.id AND t.result = 'pending'",
                        [[u[0] for u in chunk], [u[1] for u in chunk], [u[2] for u in chunk], [u[3] for u in chunk]],
                    )
            else:
                cur.executemany(
                    f"UPDATE {table} SET result = %s, reported_on = %s, ct_value = %s, version = version + 1 "
                    f"WHERE id = %s AND result = 'pending'",
                    updates,
                )
        result.imported = len(updates)
        self.updated_ids = [u[3] for u in updates]
        # Each positive result offers to open the case (shown after the import).
        self.positive_ids = [u[3] for u in updates if u[0] == Result.POSITIVE]
        if pool_tests:
            from .services import _member_result

            for t in Test.objects.filter(pk__in=pool_tests):
                _member_result(t)

    def after_save(self, result: ImportResult) -> None:
        record(actor=self.by, action="import", target_label=self.audit_label,
               note=f"{result.imported} results imported, {len(result.errors)} rejected",
               records={"tests": getattr(self, "updated_ids", [])})


def run_import_batch(batch, data: bytes, progress):
    """core.batches runner for kind "lab_results" (options: mode); the positives are kept for the page's offer to
    open their cases."""
    importer = LabResultImporter(by=batch.created_by, mode=batch.options.get("mode", "all"), progress=progress)
    result = importer.run(data, batch.file_name)
    result.extra["positive_ids"] = list(getattr(importer, "positive_ids", []))[:200]
    return result
