"""Import people from CSV/XLSX (core.imports.TableImporter): validated row by row, duplicates reported, never
half an import. File layout: docs/imports.md.

* The commune of a row comes from `mã xã`, else `tên xã`, else the `địa chỉ` text parsed with
  vietnamadminunits (pre-2025 legacy mode), else the default commune chosen on the page; it must lie in the
  importing user's jurisdiction.
* Validation is the registry's own: people.rules (CCCD/CMND, phones) and people.services.clean_person_data.
* The same ID number is the same person: reported as already registered, not imported again.
* The same diacritic-folded name + year of birth (+ compatible date of birth) in the same commune is a
  proposed duplicate: reported, not imported (the registry's duplicates page merges real ones).
* Lookups are done in bulk before any row is saved; rows are saved with bulk_create in one transaction.
"""
from __future__ import annotations

import datetime as dt
import json
import re

from django.db import connection, models

from core.context import current_ip, current_user_agent
from core.errors import Invalid
from core.imports import Column, ImportResult, RowError, RowInvalid
from core.parsing import ParseError, parse_date, parse_int
from core.scoping import OUTSIDE_PERSON_EN, OUTSIDE_PERSON_VI, scope, visible_units
from core.text import fold
from geo.importers import CommuneRowsImporter, code_text, parse_sex, text
from geo.models import Structure, Village

from .choices import ETHNICITIES, ETHNICITY_CHOICES
from .models import Person
from .rules import check_full_name, check_id, check_id_number, guess_id_kind, normalize_phone
from .services import clean_person_data


def _compact(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(value))


ETHNICITY_BY_KEY = {_compact(name): code for code, name in ETHNICITY_CHOICES}
ETHNICITY_BY_KEY.update({
    # Other spellings found in registers.
    "mong": "08", "hmong": "08", "meo": "08", "khmer": "05", "khome": "05", "bana": "13",
    "xedang": "14", "xodang": "14", "giatrieng": "27", "gietrieng": "27", "bruvankieu": "23", "vankieu": "23",
    "coho": "16", "eede": "12", "ede": "12", "jrai": "10", "giarai": "10", "romam": "54",
})
ETHNICITY_BY_KEY.update({f"{i:02d}": f"{i:02d}" for i in range(1, len(ETHNICITIES) + 1)})
ID_KIND_WORDS = {"cccd": "cccd", "cancuoccongdan": "cccd", "cancuoc": "cccd", "cmnd": "cmnd", "chungminhnhandan": "cmnd",
                 "hochieu": "passport", "passport": "passport", "khong": "none", "none": "none"}

COL_NAME, COL_DOB, COL_YEAR, COL_SEX, COL_ID, COL_PHONE = "họ tên", "ngày sinh", "năm sinh", "giới tính", "CCCD/CMND", "điện thoại"


def id_text(value) -> str:
    """Spreadsheets store IDs as numbers and drop the leading zero of a CCCD (062…) or CMND."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) == 11:
            return digits.zfill(12)
        if len(digits) == 8:
            return digits.zfill(9)
        return digits
    return re.sub(r"\s", "", text(value))


def phone_text(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) in (9, 10) and not digits.startswith("84") else digits
    return text(value)


class PersonImporter(CommuneRowsImporter):
    audit_label = "people.person"
    batch_size = 2000
    columns = [
        Column("full_name", ("họ tên", "họ và tên", "ho ten", "ho_ten", "full name", "name"), required=True),
        Column("date_of_birth", ("ngày sinh", "ngày tháng năm sinh", "ngay_sinh", "date of birth", "dob")),
        Column("birth_year", ("năm sinh", "nam_sinh", "year of birth")),
        Column("sex", ("giới tính", "giới", "gioi_tinh", "sex"), required=True),
        Column("id_number", ("cccd/cmnd", "cccd", "cmnd", "số cccd", "số cmnd", "số cccd/cmnd", "số giấy tờ",
                             "cccd/cmnd/hộ chiếu", "id number", "id")),
        Column("id_kind", ("loại giấy tờ", "id kind")),
        Column("phone", ("điện thoại", "số điện thoại", "sđt", "sdt", "phone")),
        Column("ethnicity", ("dân tộc", "dan_toc", "ethnicity")),
        Column("occupation", ("nghề nghiệp", "nghe_nghiep", "occupation"), max_length=120),
        Column("workplace", ("nơi làm việc", "nơi làm việc/học tập", "nơi làm việc, học tập", "nơi học tập", "workplace"), max_length=200),
        Column("address", ("địa chỉ", "dia_chi", "nơi ở", "nơi ở hiện nay", "address"), max_length=200),
        Column("commune_code", ("mã xã", "ma xa", "ma_xa", "commune code")),
        Column("commune_name", ("tên xã", "xã", "xã/phường", "ten_xa", "commune")),
        Column("village", ("tên thôn", "thôn", "thôn/làng", "thôn/tổ dân phố", "ten_thon", "village")),
        Column("street", ("số nhà, đường", "số nhà", "đường", "street"), max_length=200),
    ]

    def __init__(self, *, by, mode: str = "all", progress=None, default_commune=None, today: dt.date | None = None):
        super().__init__(by=by, mode=mode, progress=progress)
        self.default_commune = default_commune
        self.today = today or dt.date.today()
        self.parsed_addresses: dict[str, dict] = {}
        self.villages: dict[tuple[int, str], Village] = {}
        self.skipped: list[RowError] = []
        self.created_ids: list[int] = []

    # -- bulk look-ups before the rows are cleaned ---------------------------------------------------------
    def map_header(self, header):
        # The commune may also come from the address or the default commune: no commune column is required.
        return super(CommuneRowsImporter, self).map_header(header)

    def run(self, data: bytes, filename: str) -> ImportResult:
        from core.imports import FileRejected

        if self.default_commune is not None and not visible_units(self.by).filter(pk=self.default_commune.pk).exists():
            raise FileRejected("Xã mặc định nằm ngoài địa bàn của bạn.", "The default commune is outside your jurisdiction.")
        return super(CommuneRowsImporter, self).run(data, filename)

    def prepare(self, index, body) -> None:
        from core.imports import storable_cell

        def cell(cells, key):
            return storable_cell(cells, index.get(key))

        codes, names, structured = set(), set(), set()
        for _line, cells in body:
            code, name, address = code_text(cell(cells, "commune_code")), text(cell(cells, "commune_name")), text(cell(cells, "address"))
            codes.add(code)
            names.add(name)
            if address and not code and not name:
                parsed = self._parse_address(address)
                structured.add((parsed["structure"], parsed["ward_code"]))
        self.resolver.load(codes=codes, names=names, structured=structured)
        communes = ({u.pk for u in self.resolver.by_code.values()} | {u.pk for us in self.resolver.by_name.values() for u in us}
                    | {u.pk for u in self.resolver.by_structure_code.values() if u is not None})
        if self.default_commune is not None:
            communes.add(self.default_commune.pk)
        for v in Village.objects.filter(commune_id__in=communes):
            self.villages[(v.commune_id, v.name_folded)] = v

    def _parse_address(self, address: str) -> dict:
        """Commune of a free-text address: the pre-2025 form (xã, huyện, tỉnh) first, as the data of 2021–2022
        are written; an address without a district is then read in the 2025 structure (xã/phường, tỉnh)."""
        if address not in self.parsed_addresses:
            from vietnamadminunits import parse_address

            found = {"ward_code": None, "street": "", "structure": Structure.PRE_2025}
            for mode, level, structure in (("LEGACY", 3, Structure.PRE_2025), ("FROM_2025", 2, Structure.FROM_2025)):
                try:
                    unit = parse_address(address, mode=mode, level=level)
                except Exception:  # the parser raises on text it cannot read at all
                    continue
                if unit.ward_code:
                    found = {"ward_code": unit.ward_code, "street": unit.street or "", "structure": structure}
                    break
            self.parsed_addresses[address] = found
        return self.parsed_addresses[address]

    # -- one row --------------------------------------------------------------------------------------------
    def clean_row(self, values: dict, line: int) -> dict:
        errors: list[tuple[str | None, str, str]] = []

        def fail(column, vi, en):
            errors.append((column, vi, en))

        full_name = text(values.get("full_name"))
        try:
            full_name = check_full_name(full_name)
        except Invalid as exc:
            fail(COL_NAME, exc.vi, exc.en)

        dob = year = None
        try:
            dob = parse_date(values.get("date_of_birth"))
        except ParseError as exc:
            fail(COL_DOB, exc.vi, exc.en)
        try:
            year = parse_int(values.get("birth_year"))
        except ParseError:
            fail(COL_YEAR, f"Năm sinh không hợp lệ: {text(values.get('birth_year'))}", f"Invalid year of birth: {text(values.get('birth_year'))}")
        if dob and year and dob.year != year:
            fail(COL_YEAR, f"Năm sinh {year} không khớp ngày sinh {dob:%d/%m/%Y}.", f"Year of birth {year} does not match the date of birth {dob:%d/%m/%Y}.")
        if dob:
            year = dob.year
        if dob and dob > self.today:
            fail(COL_DOB, "Ngày sinh ở tương lai.", "The date of birth is in the future.")
        if year is not None and not 1900 <= year <= self.today.year:
            fail(COL_YEAR, f"Năm sinh không hợp lệ: {year}", f"Invalid year of birth: {year}")
        if dob is None and year is None and not any(c == COL_DOB or c == COL_YEAR for c, _, _ in errors):
            fail(COL_DOB, "Cần ngày sinh (dd/mm/yyyy) hoặc năm sinh.", "A date of birth (dd/mm/yyyy) or a year of birth is required.")

        sex = parse_sex(values.get("sex"))
        if sex is None:
            fail(COL_SEX, f"Giới tính phải là Nam hoặc Nữ: “{text(values.get('sex'))}”.", f"Sex must be Nam (male) or Nữ (female): “{text(values.get('sex'))}”.")

        id_number = id_text(values.get("id_number"))
        kind_text = _compact(text(values.get("id_kind")))
        id_kind = ID_KIND_WORDS.get(kind_text) if kind_text else guess_id_kind(id_number)
        if id_kind is None:
            fail("loại giấy tờ", f"Loại giấy tờ không hợp lệ: {text(values.get('id_kind'))} (CCCD, CMND, Hộ chiếu).",
                 f"Invalid ID kind: {text(values.get('id_kind'))} (CCCD, CMND, passport).")
        elif id_number and sex and (year or id_kind != "cccd"):
            try:  # no kind written: the number's shape decides, by the registry's rules
                id_number = (check_id(id_kind, id_number, sex=sex, birth_year=year) if kind_text
                             else check_id_number(id_number, sex=sex, birth_year=year)[1])
            except Invalid as exc:
                fail(COL_ID, exc.vi, exc.en)

        phone = phone_text(values.get("phone"))
        if phone:
            try:
                phone = normalize_phone(phone)
            except Invalid as exc:
                fail(COL_PHONE, exc.vi, exc.en)

        ethnicity = ""
        if text(values.get("ethnicity")):
            ethnicity = ETHNICITY_BY_KEY.get(_compact(text(values.get("ethnicity"))))
            if ethnicity is None:
                fail("dân tộc", f"Không có dân tộc “{text(values.get('ethnicity'))}” trong danh mục 54 dân tộc.",
                     f"“{text(values.get('ethnicity'))}” is not one of the 54 official ethnic groups.")

        commune, street = self._commune(values, fail)
        street = text(values.get("street")) or street
        village = None
        village_name = text(values.get("village"))
        if commune is not None:
            if village_name:
                village = self.villages.get((commune.pk, fold(village_name)))
                if village is None:
                    fail("tên thôn", f"Xã {commune.name} chưa có thôn “{village_name}” (thêm thôn trước, ở trang Địa bàn).",
                         f"Commune {commune.name} has no village “{village_name}” (add it first on the Units page).")
            elif street:
                # "Thôn 2, …" parsed out of the address: use it as the village when the commune has it.
                first, _, rest = street.partition(",")
                village = self.villages.get((commune.pk, fold(first)))
                if village is not None:
                    street = rest.strip()

        if errors:
            raise RowInvalid(errors)
        data = {
            "full_name": full_name, "date_of_birth": dob, "birth_year": year, "sex": sex, "id_kind": id_kind,
            "id_number": id_number, "phone": phone, "ethnicity": ethnicity,
            "occupation": text(values.get("occupation"))[:120], "workplace": text(values.get("workplace"))[:200],
            "commune": commune, "village": village, "street": street[:200],
        }
        try:
            return clean_person_data(data)
        except Invalid as exc:
            raise RowInvalid([(exc.field, exc.vi, exc.en)])

    def _commune(self, values, fail):
        code, name, address = code_text(values.get("commune_code")), text(values.get("commune_name")), text(values.get("address"))
        try:
            if code or name:
                return self.resolver.resolve(code, name), ""
            if address:
                parsed = self._parse_address(address)
                if parsed["ward_code"]:
                    return self.resolver.resolve(parsed["ward_code"], "", column_code="địa chỉ", structure=parsed["structure"]), parsed["street"]
                if self.default_commune is None:
                    fail("địa chỉ", f"Không nhận ra xã/phường trong địa chỉ “{address}” (ghi đủ xã, huyện, tỉnh hoặc thêm cột mã xã).",
                         f"No commune recognised in the address “{address}” (write commune, district and province, or add a commune code column).")
                    return None, ""
                return self.default_commune, address
            if self.default_commune is not None:
                return self.default_commune, ""
        except RowInvalid as exc:
            for err in exc.errors:
                fail(*err)
            return None, ""
        fail("mã xã", "Thiếu xã: ghi mã xã, tên xã hoặc địa chỉ, hoặc chọn xã mặc định.",
             "The commune is missing: give a commune code, name or address, or choose a default commune.")
        return None, ""

    # -- across rows and against the registry ------------------------------------------------------------
    # The cleaned rows wait in a temporary table (core.staging) and are checked there in SQL: a million-row file
    # never exists as a million Python rows (bench/people_import_memory.py; docs/imports.md).
    STAGED = {"full_name": "text", "name_folded": "text", "date_of_birth": "date", "birth_year": "int", "sex": "text",
              "id_kind": "text", "id_number": "text", "phone": "text", "ethnicity": "text", "occupation": "text",
              "workplace": "text", "commune_id": "int", "village_id": "int", "street": "text"}

    def stage(self):
        from core.staging import Stage

        return Stage("people_import_stage", self.STAGED,
                     indexes=(("id_number",), ("commune_id", "name_folded", "birth_year")))

    def stage_values(self, r: dict) -> tuple:
        village = r.get("village")
        return (r["full_name"], fold(r["full_name"]), r.get("date_of_birth"), r["birth_year"], r["sex"], r["id_kind"],
                r["id_number"] or "", r["phone"] or "", r["ethnicity"] or "", r["occupation"], r["workplace"],
                r["commune"].pk, village.pk if village is not None else None, r["street"])

    def check_rows(self, stage):
        """In order, as a reader of the file would: an ID number seen on an earlier line is a row error; an ID
        number already registered, a registered person with the same name, year of birth and commune (and a
        compatible date of birth), or such a person on an earlier imported line is skipped (not an error)."""
        from core.staging import ERROR, SKIPPED

        t, person = stage.name, Person._meta.db_table
        errors: list[RowError] = []
        repeated = (f"SELECT s.line, f.first FROM {t} s JOIN (SELECT id_number, MIN(line) AS first FROM {t} "
                    f"WHERE id_number <> '' GROUP BY id_number HAVING COUNT(*) > 1) f "
                    f"ON f.id_number = s.id_number WHERE s.line > f.first")
        for line, first in stage.query(repeated):
            errors.append(RowError(line, COL_ID, f"Số giấy tờ trùng với dòng {first}.", f"Same ID number as line {first}."))
        stage.flag(f"SELECT line FROM ({repeated}) r", [], ERROR)

        # Already registered: what the user may see of the record is decided by core.scoping, a chunk at a time.
        registered = (f"SELECT s.line, MIN(p.id) FROM {t} s JOIN {person} p ON p.id_number = s.id_number "
                      f"AND p.merged_into_id IS NULL WHERE s.flag = 0 AND s.id_number <> '' GROUP BY s.line")
        found = list(stage.query(registered))
        for chunk in _chunks(found, 5000):
            visible = set(scope(Person.objects.filter(pk__in=[pk for _, pk in chunk]), self.by).values_list("pk", flat=True))
            for line, pk in chunk:
                where_vi, where_en = (f" (hồ sơ #{pk})", f" (record #{pk})") if pk in visible else (f" ({OUTSIDE_PERSON_VI})", f" ({OUTSIDE_PERSON_EN})")
                self.skipped.append(RowError(line, COL_ID, f"Đã có trong sổ đăng ký{where_vi}: không nhập lại.",
                                             f"Already registered{where_en}: not imported again."))
        stage.flag_lines([line for line, _ in found], SKIPPED)
        del found

        similar = (f"SELECT s.line, MIN(p.id) FROM {t} s JOIN {person} p ON p.commune_id = s.commune_id "
                   f"AND p.name_folded = s.name_folded AND p.birth_year = s.birth_year AND p.merged_into_id IS NULL "
                   f"AND (s.date_of_birth IS NULL OR p.date_of_birth IS NULL OR p.date_of_birth = s.date_of_birth) "
                   f"WHERE s.flag = 0 GROUP BY s.line")
        lines = []
        for line, match in stage.query(similar):
            lines.append(line)
            self.skipped.append(RowError(line, COL_NAME, f"Có thể trùng với hồ sơ #{match} (cùng họ tên, năm sinh, xã): không nhập.",
                                         f"Possible duplicate of record #{match} (same name, year of birth, commune): not imported."))
        stage.flag_lines(lines, SKIPPED)

        # Twins inside the file: SQL finds the groups sharing name, year and commune; the first compatible line of
        # a group that is itself imported wins, which needs the group's lines in order (a group at a time).
        groups = (f"SELECT s.line, s.commune_id, s.name_folded, s.birth_year, s.date_of_birth FROM {t} s JOIN "
                  f"(SELECT commune_id, name_folded, birth_year FROM {t} WHERE flag = 0 GROUP BY commune_id, name_folded, "
                  f"birth_year HAVING COUNT(*) > 1) g ON g.commune_id = s.commune_id AND g.name_folded = s.name_folded "
                  f"AND g.birth_year = s.birth_year WHERE s.flag = 0 ORDER BY s.commune_id, s.name_folded, s.birth_year, s.line")
        lines, key, kept = [], None, []
        for line, commune, name, year, dob in stage.query(groups):
            if (commune, name, year) != key:
                key, kept = (commune, name, year), []
            twin = next((ln for ln, d in kept if not dob or not d or d == dob), None)
            if twin is None:
                kept.append((line, dob))
                continue
            lines.append(line)
            self.skipped.append(RowError(line, COL_NAME, f"Có thể trùng với dòng {twin} (cùng họ tên, năm sinh, xã): không nhập.",
                                         f"Possible duplicate of line {twin} (same name, year of birth, commune): not imported."))
        stage.flag_lines(lines, SKIPPED)
        self.skipped.sort(key=lambda e: e.line)
        return errors

    def save_rows(self, stage, result):
        # Person objects (and their audit events) are built one batch at a time from the stage and dropped once
        # written: a million rows never exist as a million model instances at once.
        self.created_ids = []
        total = stage.count
        names = [c for c in self.STAGED if c != "name_folded"]
        chunk: list[Person] = []
        for _line, *values in stage.ok_rows([*names, "name_folded"]):
            p = Person(**dict(zip(names, values[:-1], strict=True)))
            p.name_folded = values[-1]
            if isinstance(p.date_of_birth, str):
                p.date_of_birth = dt.date.fromisoformat(p.date_of_birth)
            chunk.append(p)
            if len(chunk) >= self.batch_size:
                self._write(chunk, total)
                chunk = []
        self._write(chunk, total)
        result.imported = len(self.created_ids)
        result.skipped_duplicates = len(self.skipped)
        if self.skipped:
            result.notes.append(f"{len(self.skipped)} dòng đã có hoặc nghi trùng, không nhập / rows already registered or possible duplicates, not imported")

    def _write(self, chunk: list[Person], total: int) -> None:
        if not chunk:
            return
        self._insert(chunk)
        self._audit_creations(chunk)
        self.created_ids.extend(p.pk for p in chunk)
        self.progress(len(self.created_ids), total)

    def _insert(self, batch: list[Person]) -> None:
        """bulk_create; on PostgreSQL, ids are reserved from the sequence and the rows COPied (several times faster)."""
        if connection.vendor == "postgresql":
            copy_insert(Person, batch)
        else:
            Person.objects.bulk_create(batch)

    def _audit_creations(self, people: list[Person]) -> None:
        """One "create" event per person, written in bulk (same fields as audit.services.record)."""
        from audit.models import AuditEvent

        actor = self.by if getattr(self.by, "pk", None) else None
        label = actor.get_username() if actor else "system"
        ip, agent = current_ip.get(), current_user_agent.get()
        events = [
            AuditEvent(actor=actor, actor_label=label, action="create", target_type="people.person", target_id=str(p.pk),
                       target_label=str(p)[:200], person_id=p.pk, note="import", ip=ip, user_agent=agent)
            for p in people
        ]
        if connection.vendor == "postgresql":
            copy_insert(AuditEvent, events)
        else:
            AuditEvent.objects.bulk_create(events, batch_size=2000)

    def after_save(self, result: ImportResult) -> None:
        from audit.services import record
        from core.dataversion import bump

        bump("people")  # cached counts (core.dataversion)
        record(actor=self.by, action="import", target_label=self.audit_label, records=self.created_ids,
               note=f"{result.imported} rows imported, {len(result.errors)} rejected, {len(self.skipped)} duplicates skipped")


def copy_insert(model, objs: list) -> None:
    """PostgreSQL: INSERT many new rows with COPY. Ids are taken from the table's sequence first and set on the
    objects, as bulk_create would. Values go to psycopg as Python values (no per-field Django conversion)."""
    if not objs:
        return
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    timestamps = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cur:
        cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(objs)])
        for obj, (pk,) in zip(objs, cur.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        # cursor.copy() is psycopg's own: wrap its errors as Django's (IntegrityError…) like execute() does.
        with connection.wrap_database_errors, cur.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                for f in timestamps:
                    f.pre_save(obj, add=True)
                row = []
                for f in fields:
                    value = getattr(obj, f.attname)
                    if f.attname in json_fields and value is not None:
                        value = json.dumps(value)
                    row.append(value)
                copy.write_row(row)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def run_import_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "people" (options: mode, default_commune)."""
    from django.db import IntegrityError

    from core.imports import FileRejected
    from geo.models import AdministrativeUnit

    commune_id = batch.options.get("default_commune")
    commune = AdministrativeUnit.objects.filter(pk=commune_id).first() if commune_id else None
    importer = PersonImporter(by=batch.created_by, mode=batch.options.get("mode", "all"), default_commune=commune,
                              progress=progress)
    try:
        result = importer.run(data, batch.file_name)
    except IntegrityError:
        # Someone registered one of these ID numbers while the file was being checked: nothing was saved.
        raise FileRejected(
            "Trong lúc kiểm tra tệp, người khác vừa đăng ký một số giấy tờ có trong tệp. Chưa nhập gì: hãy nhập lại.",
            "While the file was being checked, someone registered an ID number it contains. Nothing was imported: import it again.",
        )
    result.skipped = importer.skipped
    return result
