"""Import of the daily case line lists that provinces kept in Excel (layout documented in docs/cases.md).

Each row is validated; the person is matched against the people registry (identity number first, then folded name
+ birth year + commune) and created when absent; a row whose person already has a case confirmed within 30 days
of the row's date is a duplicate and is skipped.
"""
import datetime as dt

from core.errors import Invalid
from core.imports import Column, RowError, RowInvalid, TableImporter
from core.parsing import ParseError, parse_date
from core.scoping import OUTSIDE_PERSON_EN, OUTSIDE_PERSON_VI, split_in_scope, visible_commune_ids
from core.text import fold
from geo.models import AdministrativeUnit, Level
from people.models import Person
from people.rules import check_full_name, check_id_number, normalize_phone

from .choices import CareSetting, DetectedIn, TestKind
from .models import Case

TEST_KINDS = {"rt-pcr": TestKind.RT_PCR, "rtpcr": TestKind.RT_PCR, "pcr": TestKind.RT_PCR,
              "test nhanh": TestKind.RAPID_ANTIGEN, "test nhanh khang nguyen": TestKind.RAPID_ANTIGEN, "rapid": TestKind.RAPID_ANTIGEN,
              "tnkn": TestKind.RAPID_ANTIGEN, "igm": TestKind.IGM, "khang the igm": TestKind.IGM, "ns1": TestKind.NS1}
CLASSES = {"nghi ngo": "suspected", "ca nghi ngo": "suspected", "suspected": "suspected", "co the": "probable",
           "ca co the": "probable", "probable": "probable", "xac dinh": "confirmed", "ca xac dinh": "confirmed",
           "confirmed": "confirmed"}
YES = {"co", "x", "yes", "1", "true"}
DETECTED = {"cong dong": DetectedIn.COMMUNITY, "community": DetectedIn.COMMUNITY, "cach ly": DetectedIn.QUARANTINE,
            "khu cach ly": DetectedIn.QUARANTINE, "quarantine": DetectedIn.QUARANTINE, "co so y te": DetectedIn.FACILITY,
            "phong toa": DetectedIn.FACILITY, "facility": DetectedIn.FACILITY}
SETTINGS = {"tai nha": CareSetting.HOME, "nha": CareSetting.HOME, "home": CareSetting.HOME, "tap trung": CareSetting.CENTRALISED,
            "centralised": CareSetting.CENTRALISED, "benh vien": CareSetting.HOSPITAL, "hospital": CareSetting.HOSPITAL}
SEXES = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}


class CaseLineListImporter(TableImporter):
    audit_label = "cases line list"
    columns = [
        Column("full_name", ("Họ và tên", "Ho ten", "Full name"), required=True),
        Column("birth", ("Ngày sinh/Năm sinh", "Năm sinh", "Ngày sinh", "Date or year of birth"), required=True),
        Column("sex", ("Giới tính", "Sex"), required=True),
        Column("id_number", ("CCCD/CMND", "Số CCCD", "ID number")),
        Column("phone", ("Điện thoại", "Số điện thoại", "Phone")),
        Column("commune_code", ("Mã xã", "Commune code"), required=True),
        Column("street", ("Địa chỉ", "Address"), max_length=200),
        Column("confirmed_on", ("Ngày xác định", "Ngày có kết quả", "Confirmed on"), required=True),
        Column("test_kind", ("Loại xét nghiệm", "Test kind"), required=True),
        Column("detected_in", ("Nơi phát hiện", "Detected in")),
        Column("care_setting", ("Nơi điều trị", "Care setting")),
        # Other diseases (docs/diseases.md): the disease (code or name; default: the installation's default disease),
        # the classification under its case definition (default: confirmed) and an epidemiological link.
        Column("disease", ("Bệnh", "Disease")),
        Column("classification", ("Phân loại", "Classification")),
        Column("epi_link", ("Liên quan dịch tễ", "Epidemiological link")),
        Column("signs", ("Dấu hiệu lâm sàng", "Clinical signs"), max_length=500),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.communes = {u.code: u for u in AdministrativeUnit.objects.filter(level=Level.COMMUNE, structure="pre2025")}
        # Jurisdiction (core.scoping): a row may only name a commune the importing user governs.
        self.visible_communes = visible_commune_ids(self.by)
        self.person_by_id: dict[str, Person] = {}

    def clean_row(self, values: dict, line: int) -> dict:
        errors = []
        out = {"full_name": str(values.get("full_name") or "").strip()}
        try:
            out["full_name"] = check_full_name(out["full_name"])
        except Invalid as exc:
            errors.append(("Họ và tên", exc.vi, exc.en))
        birth = values.get("birth")
        out["date_of_birth"], out["birth_year"] = None, None
        if isinstance(birth, int | float) or (isinstance(birth, str) and birth.strip().isdigit() and len(birth.strip()) == 4):
            out["birth_year"] = int(float(birth))
        else:
            try:
                out["date_of_birth"] = parse_date(birth)
                out["birth_year"] = out["date_of_birth"].year if out["date_of_birth"] else None
            except ParseError as exc:
                errors.append(("Ngày sinh/Năm sinh", exc.vi, exc.en))
        if out["birth_year"] is None and not any(e[0] == "Ngày sinh/Năm sinh" for e in errors):
            errors.append(("Ngày sinh/Năm sinh", "Thiếu năm sinh", "Year of birth is missing"))
        elif out["birth_year"] and not 1900 <= out["birth_year"] <= dt.date.today().year:
            errors.append(("Ngày sinh/Năm sinh", f"Năm sinh không hợp lệ: {out['birth_year']}", f"Invalid year of birth: {out['birth_year']}"))
        out["sex"] = SEXES.get(fold(str(values.get("sex") or "")))
        if not out["sex"]:
            errors.append(("Giới tính", f"Giới tính không hợp lệ: {values.get('sex')}", f"Invalid sex: {values.get('sex')}"))
        out["id_number"] = str(values.get("id_number") or "").strip()
        out["id_kind"] = ""
        if out["id_number"]:
            try:
                out["id_kind"], out["id_number"] = check_id_number(out["id_number"], sex=out["sex"], birth_year=out["birth_year"])
            except Invalid as exc:
                errors.append(("CCCD/CMND", exc.vi, exc.en))
        out["phone"] = str(values.get("phone") or "").strip()
        if out["phone"]:
            try:
                out["phone"] = normalize_phone(out["phone"])
            except Invalid as exc:
                errors.append(("Điện thoại", exc.vi, exc.en))
        out["street"] = str(values.get("street") or "").strip()
        code = str(values.get("commune_code") or "").strip()
        code = code[:-2] if code.endswith(".0") else code
        out["commune"] = self.communes.get(code.zfill(5))
        if out["commune"] is None:
            errors.append(("Mã xã", f"Không có xã mã {code}", f"No commune with code {code}"))
        elif self.visible_communes is not None and out["commune"].pk not in self.visible_communes:
            errors.append(("Mã xã", f"Xã mã {code} nằm ngoài địa bàn của bạn.", f"Commune {code} is outside your jurisdiction."))
        try:
            out["confirmed_on"] = parse_date(values.get("confirmed_on"))
            if out["confirmed_on"] is None:
                errors.append(("Ngày xác định", "Thiếu ngày xác định", "Confirmation date is missing"))
            elif out["confirmed_on"] > dt.date.today():
                errors.append(("Ngày xác định", "Ngày xác định ở tương lai", "Confirmation date is in the future"))
        except ParseError as exc:
            errors.append(("Ngày xác định", exc.vi, exc.en))
        out["classification"] = CLASSES.get(fold(str(values.get("classification") or "xac dinh")))
        if not out["classification"]:
            errors.append(("Phân loại", f"Không hiểu phân loại: {values.get('classification')} (nghi ngờ, có thể, xác định)",
                           f"Unknown classification: {values.get('classification')} (suspected, probable, confirmed)"))
        out["epi_link"] = fold(str(values.get("epi_link") or "")) in YES
        out["disease"] = self._disease(values.get("disease"))
        if out["disease"] is None:
            errors.append(("Bệnh", f"Không có bệnh “{values.get('disease')}”", f"No disease “{values.get('disease')}”"))
        raw_test = fold(str(values.get("test_kind") or ""))
        # A suspected case, or one confirmed by an epidemiological link, may come without a test: the disease's case
        # definition decides below.
        out["test_kind"] = TEST_KINDS.get(raw_test) if raw_test else ""
        judged = bool(out["disease"] and out.get("confirmed_on") and out["classification"] and out["test_kind"] is not None)
        if out["test_kind"] is None or (not judged and not raw_test and out["classification"] == "confirmed" and not out["epi_link"]):
            errors.append(("Loại xét nghiệm", f"Loại xét nghiệm không hợp lệ: {values.get('test_kind')} (RT-PCR hoặc Test nhanh)",
                           f"Unknown test kind: {values.get('test_kind')} (RT-PCR or rapid test)"))
        detected = fold(str(values.get("detected_in") or "cong dong"))
        out["detected_in"] = DETECTED.get(detected)
        if not out["detected_in"]:
            errors.append(("Nơi phát hiện", f"Không hiểu nơi phát hiện: {values.get('detected_in')}", f"Unknown place of detection: {values.get('detected_in')}"))
        out["care_setting"] = SETTINGS.get(fold(str(values.get("care_setting") or "tai nha")))
        if not out["care_setting"]:
            errors.append(("Nơi điều trị", f"Không hiểu nơi điều trị: {values.get('care_setting')}", f"Unknown care setting: {values.get('care_setting')}"))
        if judged and out["confirmed_on"] <= dt.date.today():
            # The disease's rules must cover the day and the classification must agree with its case definition:
            # a row error naming the missing rule or the definition, never a traceback.
            from diseases import classification as classify
            from diseases.selectors import in_force

            try:
                in_force(out["disease"], "release", out["confirmed_on"])
                out["clinical_signs"] = self._signs(out["disease"], out["confirmed_on"], values.get("signs"))
                classify.check(out["disease"], out["confirmed_on"], out["classification"], test_kind=out["test_kind"],
                               epi_link=out["epi_link"], signs=out["clinical_signs"])
            except Invalid as exc:
                column = {"classification": "Loại xét nghiệm", "signs": "Dấu hiệu lâm sàng"}.get(exc.field, "Ngày xác định")
                errors.append((column, exc.vi, exc.en))
        if errors:
            raise RowInvalid(errors)
        return out

    def _signs(self, disease, on, raw) -> list[str]:
        """Signs written as the definition names them ("Sốt; Phát ban dát sẩn; Ho") or by code."""
        import re

        from diseases.selectors import definition

        if not raw:
            return []
        known = {}
        for entry in definition(disease, on).value("signs") or []:
            if isinstance(entry, dict) and entry.get("code"):
                for key in (entry["code"], entry.get("vi"), entry.get("en")):
                    if key:
                        known[fold(str(key))] = entry["code"]
        out = []
        for part in re.split(r"[;,\n]+", str(raw)):
            part = fold(part.strip())
            if part:
                if part not in known:
                    raise Invalid(f"Không hiểu dấu hiệu “{part}”", f"Unknown sign “{part}”", "signs")
                out.append(known[part])
        return out

    def _disease(self, raw):
        from diseases.selectors import active_diseases, default_disease

        if raw in (None, ""):
            return default_disease()
        if not hasattr(self, "_diseases"):
            self._diseases = {}
            for d in active_diseases():
                for key in (d.code, d.name, d.name_en):
                    if key:
                        self._diseases[fold(key)] = d
        return self._diseases.get(fold(str(raw)))

    def check_rows(self, rows):
        errors, seen = [], {}
        for line, r in rows:
            key = r["id_number"] or (fold(r["full_name"]), r["birth_year"], r["commune"].pk)
            if key in seen:
                errors.append(RowError(line, None, f"Trùng với dòng {seen[key]} trong tệp", f"Duplicate of line {seen[key]} in the file"))
            else:
                seen[key] = line
        # The registered people the file's ID numbers belong to, in one query; a number that belongs to someone
        # outside the user's jurisdiction is a row error naming nobody (no name, number or record id).
        numbers = {r["id_number"] for _, r in rows if r["id_number"]}
        found = Person.objects.filter(id_number__in=numbers, merged_into__isnull=True) if numbers else Person.objects.none()
        visible, hidden = split_in_scope(found, self.by)
        hidden_numbers = set(found.filter(pk__in=hidden).values_list("id_number", flat=True)) if hidden else set()
        self.person_by_id = {p.id_number: p for p in Person.objects.filter(pk__in=visible)} if visible else {}
        for line, r in rows:
            if r["id_number"] in hidden_numbers:
                errors.append(RowError(line, "CCCD/CMND", f"Số giấy tờ {OUTSIDE_PERSON_VI}.",
                                       f"The ID number {OUTSIDE_PERSON_EN}."))
        return errors

    def _find_person(self, r) -> Person | None:
        if r["id_number"]:
            p = self.person_by_id.get(r["id_number"])
            if p:
                return p
        from people.services import possible_duplicates

        return possible_duplicates(full_name=r["full_name"], birth_year=r["birth_year"], commune=r["commune"],
                                   date_of_birth=r["date_of_birth"]).first()

    def save_rows(self, rows, result):
        from people.services import create_person

        from . import services

        for line, r in rows:
            person = self._find_person(r)
            if person is None:
                data = {k: r[k] for k in ("full_name", "date_of_birth", "birth_year", "sex", "phone", "street", "commune")}
                if r["id_number"]:
                    data.update(id_number=r["id_number"], id_kind=r["id_kind"])
                person = create_person(by=self.by, data=data)
            window = (r["confirmed_on"] - dt.timedelta(days=30), r["confirmed_on"] + dt.timedelta(days=30))
            if Case.objects.filter(person=person, confirmed_on__range=window).exists():
                result.skipped_duplicates += 1
                continue
            services.open_case(by=self.by, person=person, confirmed_on=r["confirmed_on"], test_kind=r["test_kind"],
                               detected_in=r["detected_in"], care_setting=r["care_setting"], commune=r["commune"],
                               disease=r["disease"], classification=r["classification"], epi_link=r["epi_link"],
                               clinical_signs=r.get("clinical_signs") or [],
                               source_ref=f"import line {line}")
            result.imported += 1


def run_import_batch(batch, data: bytes, progress):
    """core.batches runner for kind "cases" (options: mode)."""
    return CaseLineListImporter(by=batch.created_by, mode=batch.options.get("mode", "all"), progress=progress).run(data, batch.file_name)
