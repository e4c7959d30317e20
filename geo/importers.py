"""CSV/XLSX imports of the geo app: villages and population denominators (core.imports.TableImporter).

`CommuneResolver` finds the commune of a row from a GSO code or a name, within the importing user's
jurisdiction, with lookups done in bulk (the people importer uses it too).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.dataversion import bump
from core.errors import Invalid
from core.imports import (
    Column,
    FileRejected,
    ImportResult,
    RowError,
    RowInvalid,
    TableImporter,
    storable_cell,
)
from core.parsing import ParseError, parse_int
from core.scoping import visible_units
from core.text import fold

from .eras import check_population_year
from .models import AGE_BAND_BOUNDS, AdministrativeUnit, Level, PopulationEstimate, Structure, Village


def text(value) -> str:
    """A cell as clean text (NFC, single spaces). Numbers from spreadsheets lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def code_text(value) -> str:
    """A GSO code cell: spreadsheets drop leading zeros (commune codes have 5 digits, districts 3, provinces 2)."""
    t = text(value)
    return t.zfill(5) if t.isdigit() and len(t) == 4 else t


class CommuneResolver:
    """Maps GSO codes and commune names to communes the user may write to. Two queries in all."""

    def __init__(self, user):
        self.user = user
        self.by_code: dict[str, AdministrativeUnit] = {}
        self.outside_codes: set[str] = set()
        self.by_name: dict[str, list[AdministrativeUnit]] = {}
        self.by_structure_code: dict[tuple[str, str], AdministrativeUnit | None] = {}  # None: outside

    def load(self, codes=(), names=(), structured=()) -> None:
        """`structured`: (structure, code) pairs whose structure is known (e.g. from a parsed address)."""
        codes, names = {c for c in codes if c}, {fold(n) for n in names if n}
        visible = visible_units(self.user).filter(level=Level.COMMUNE)
        structured = {(s, c) for s, c in structured if c}
        if structured:
            q = Q()
            for structure in {s for s, _ in structured}:
                q |= Q(structure=structure, code__in={c for s, c in structured if s == structure})
            allowed = set(visible.filter(q).values_list("pk", flat=True))
            for u in AdministrativeUnit.objects.filter(q, level=Level.COMMUNE):
                self.by_structure_code[(u.structure, u.code)] = u if u.pk in allowed else None
        if codes:
            found = list(AdministrativeUnit.objects.filter(level=Level.COMMUNE, code__in=codes))
            allowed = set(visible.filter(code__in=codes).values_list("pk", flat=True))
            # A code may exist in both structures: prefer the one the user may use, then pre-2025
            # (the period the data describes), then 2025.
            found.sort(key=lambda u: (u.pk not in allowed, u.structure != Structure.PRE_2025))
            for u in found:
                if u.code in self.by_code or u.code in self.outside_codes:
                    continue
                if u.pk in allowed:
                    self.by_code[u.code] = u
                else:
                    self.outside_codes.add(u.code)
        if names:
            for u in visible.filter(name_folded__in=names | {fold(n) for n in _with_prefixes(names)}):
                self.by_name.setdefault(u.name_folded, []).append(u)
                if u.short_name:
                    self.by_name.setdefault(fold(u.short_name), []).append(u)

    def resolve(self, code: str = "", name: str = "", column_code: str = "mã xã", column_name: str = "tên xã",
                structure: str | None = None):
        """The commune, or raise RowInvalid with the reason."""
        if code and structure:
            key = (structure, code)
            if self.by_structure_code.get(key) is not None:
                return self.by_structure_code[key]
            if key in self.by_structure_code:
                raise RowInvalid([(column_code, f"Xã mã {code} nằm ngoài địa bàn của bạn.",
                                   f"Commune {code} is outside your jurisdiction.")])
            raise RowInvalid([(column_code, f"Không có xã nào mã {code}.", f"No commune has the code {code}.")])
        if code:
            if code in self.by_code:
                return self.by_code[code]
            if code in self.outside_codes:
                raise RowInvalid([(column_code, f"Xã mã {code} nằm ngoài địa bàn của bạn.",
                                   f"Commune {code} is outside your jurisdiction.")])
            raise RowInvalid([(column_code, f"Không có xã nào mã {code}.", f"No commune has the code {code}.")])
        if name:
            key = fold(name)
            matches = {u.pk: u for k in (key, *(fold(p) for p in _with_prefixes({key}))) for u in self.by_name.get(k, [])}
            if len(matches) == 1:
                return next(iter(matches.values()))
            if len(matches) > 1:
                raise RowInvalid([(column_name, f"Có {len(matches)} xã tên “{name}” trong địa bàn: hãy ghi mã xã.",
                                   f"{len(matches)} communes are named “{name}” in your jurisdiction: give the commune code.")])
            raise RowInvalid([(column_name, f"Không tìm thấy xã “{name}” trong địa bàn của bạn.",
                               f"No commune named “{name}” in your jurisdiction.")])
        raise RowInvalid([(column_code, "Thiếu mã xã hoặc tên xã.", "The commune code or name is missing.")])


def _with_prefixes(folded_names: set[str]) -> set[str]:
    """"Đăk Cấm" is written without its kind: try "xa …", "phuong …", "thi tran …"."""
    return {f"{p} {n}" for n in folded_names for p in ("xa", "phuong", "thi tran")}


class CommuneRowsImporter(TableImporter):
    """Rows that name a commune (mã xã and/or tên xã): codes and names are looked up in bulk before cleaning."""

    def __init__(self, *, by, mode="all", progress=None):
        super().__init__(by=by, mode=mode, progress=progress)
        self.resolver = CommuneResolver(by)

    def map_header(self, header):
        index = super().map_header(header)
        if "commune_code" not in index and "commune_name" not in index:
            raise FileRejected("Thiếu cột mã xã hoặc tên xã.", "The file needs a commune code or commune name column.")
        return index

    def prepare(self, index, body) -> None:
        def cell(cells, key):
            return storable_cell(cells, index.get(key))

        self.resolver.load(codes={code_text(cell(c, "commune_code")) for _, c in body},
                           names={text(cell(c, "commune_name")) for _, c in body})

    def resolve_commune(self, values: dict, errors: list) -> AdministrativeUnit | None:
        """The row's commune, or None with the reasons added to `errors` (so the other cells are still checked)."""
        try:
            return self.resolver.resolve(code_text(values.get("commune_code")), text(values.get("commune_name")))
        except RowInvalid as exc:
            errors.extend(exc.errors)
            return None


# --- villages -------------------------------------------------------------------------------------------
VILLAGE_KIND_WORDS = {
    "thon": Village.Kind.THON, "lang": Village.Kind.LANG, "to dan pho": Village.Kind.TO_DAN_PHO, "to": Village.Kind.TO_DAN_PHO,
    "ban": Village.Kind.BAN, "ap": Village.Kind.AP, "khoi pho": Village.Kind.KHOI, "khoi": Village.Kind.KHOI,
    **{k: k for k in Village.Kind.values},
}


def village_kind(kind_text: str, name: str) -> str | None:
    key = fold(kind_text).replace("_", " ")
    if key:
        return VILLAGE_KIND_WORDS.get(key) or VILLAGE_KIND_WORDS.get(key.replace(" ", "_"))
    folded = fold(name)
    for word in ("to dan pho", "khoi pho", "thon", "lang", "ban", "ap"):
        if folded.startswith(word + " "):
            return VILLAGE_KIND_WORDS[word]
    return Village.Kind.THON


class VillageImporter(CommuneRowsImporter):
    """Columns: mã xã and/or tên xã, tên thôn (required), loại (Thôn, Làng, Tổ dân phố, Bản, Ấp, Khối phố), mã thôn."""

    audit_label = "geo.village"
    columns = [
        Column("commune_code", ("mã xã", "ma xa", "mã đơn vị", "commune code", "ma_xa")),
        Column("commune_name", ("tên xã", "xã", "xã/phường", "commune", "ten_xa")),
        Column("name", ("tên thôn", "thôn", "tên thôn/làng", "thôn/làng/tổ dân phố", "village", "ten_thon"), required=True),
        Column("kind", ("loại", "loại thôn", "kind", "loai")),
        Column("code", ("mã thôn", "village code", "ma_thon"), max_length=20),
    ]

    def clean_row(self, values, line):
        name = text(values.get("name"))
        errors = []
        if not name:
            errors.append(("tên thôn", "Thiếu tên thôn.", "The village name is missing."))
        elif len(name) > 120:
            errors.append(("tên thôn", "Tên thôn dài quá 120 ký tự.", "The village name is longer than 120 characters."))
        kind = village_kind(text(values.get("kind")), name)
        if kind is None:
            errors.append(("loại", f"Loại không hợp lệ: {text(values.get('kind'))} (Thôn, Làng, Tổ dân phố, Bản, Ấp, Khối phố).",
                           f"Invalid kind: {text(values.get('kind'))} (Thôn, Làng, Tổ dân phố, Bản, Ấp, Khối phố)."))
        commune = self.resolve_commune(values, errors)
        if errors:
            raise RowInvalid(errors)
        return {"commune": commune, "name": name, "kind": kind, "code": text(values.get("code"))[:20]}

    def check_rows(self, rows):
        seen: dict[tuple, int] = {}
        errors = []
        for line, r in rows:
            key = (r["commune"].pk, fold(r["name"]))
            if key in seen:
                errors.append(RowError(line, "tên thôn", f"Trùng với dòng {seen[key]}.", f"Same village as line {seen[key]}."))
            else:
                seen[key] = line
        return errors

    def save_rows(self, rows, result):
        existing = set(
            Village.objects.filter(commune_id__in={r["commune"].pk for _, r in rows}).values_list("commune_id", "name_folded")
        )
        objs = []
        for _line, r in rows:
            folded = fold(r["name"])
            if (r["commune"].pk, folded) in existing:
                result.skipped_duplicates += 1
                continue
            objs.append(Village(commune=r["commune"], name=r["name"], kind=r["kind"], code=r["code"], name_folded=folded))
        Village.objects.bulk_create(objs, batch_size=2000)
        result.imported = len(objs)
        if result.skipped_duplicates:
            result.notes.append(f"{result.skipped_duplicates} thôn đã có, bỏ qua / villages already present, skipped")


# --- population -----------------------------------------------------------------------------------------
_BAND_TEXT = re.compile(r"^(\d{1,2})\s*(?:-|–|—|đến|den|to)\s*(\d{1,2})$")


def parse_age_band(value) -> str | None:
    if isinstance(value, dt.date):  # "5-11" typed into Excel can become a date
        return None
    t = fold(text(value)).replace(" tuoi", "")
    t = t.replace("tren", "+").replace("tro len", "+").replace("and over", "+").replace(" ", "")
    if t in AGE_BAND_BOUNDS:
        return t
    m = _BAND_TEXT.match(t)
    if m and f"{int(m[1])}-{int(m[2])}" in AGE_BAND_BOUNDS:
        return f"{int(m[1])}-{int(m[2])}"
    if t in {"65+", ">=65", "≥65", "65+tuoi"}:
        return "65+"
    return None


SEX_WORDS = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}


def parse_sex(value) -> str | None:
    return SEX_WORDS.get(fold(text(value)))


class PopulationImporter(CommuneRowsImporter):
    """One row per commune, year, sex and age band (long format). Re-importing a year replaces its figures."""

    audit_label = "geo.population"
    columns = [
        Column("commune_code", ("mã xã", "ma xa", "mã đơn vị", "unit code", "commune code", "ma_xa")),
        Column("commune_name", ("tên xã", "xã", "commune", "ten_xa")),
        Column("year", ("năm", "year", "nam"), required=True),
        Column("sex", ("giới tính", "giới", "sex", "gioi_tinh"), required=True),
        Column("age_band", ("nhóm tuổi", "độ tuổi", "age band", "age group", "nhom_tuoi"), required=True),
        Column("population", ("dân số", "số người", "population", "dan_so"), required=True),
        Column("source", ("nguồn", "source"), max_length=200),
    ]

    def __init__(self, *, by, mode="all", progress=None, source: str = ""):
        super().__init__(by=by, mode=mode, progress=progress)
        self.default_source = source

    def clean_row(self, values, line):
        errors = []
        try:
            year = parse_int(values.get("year"))
            if year is None or not 1990 <= year <= 2100:
                errors.append(("năm", f"Năm không hợp lệ: {text(values.get('year'))}", f"Invalid year: {text(values.get('year'))}"))
        except ParseError:
            year = None
            errors.append(("năm", f"Năm không hợp lệ: {text(values.get('year'))}", f"Invalid year: {text(values.get('year'))}"))
        sex = parse_sex(values.get("sex"))
        if sex is None:
            errors.append(("giới tính", f"Giới tính phải là Nam hoặc Nữ: “{text(values.get('sex'))}”.",
                           f"Sex must be Nam (male) or Nữ (female): “{text(values.get('sex'))}”."))
        band = parse_age_band(values.get("age_band"))
        if band is None:
            bands = ", ".join(AGE_BAND_BOUNDS)
            errors.append(("nhóm tuổi", f"Nhóm tuổi không hợp lệ: “{text(values.get('age_band'))}” (dùng {bands}).",
                           f"Invalid age band: “{text(values.get('age_band'))}” (use {bands})."))
        try:
            n = parse_int(values.get("population"))
            if n is None or n < 0:
                raise ParseError("", "")
        except ParseError:
            n = None
            errors.append(("dân số", f"Dân số phải là số nguyên không âm: “{text(values.get('population'))}”.",
                           f"Population must be a whole number ≥ 0: “{text(values.get('population'))}”."))
        commune = self.resolve_commune(values, errors)
        try:
            check_population_year(commune, year)  # no year from 2026 on a dissolved commune (geo.eras)
        except Invalid as exc:
            errors.append(("năm", exc.vi, exc.en))
        if errors:
            raise RowInvalid(errors)
        return {"unit": commune, "year": year, "sex": sex, "age_band": band, "population": n,
                "source": (text(values.get("source")) or self.default_source)[:200]}

    def check_rows(self, rows):
        seen: dict[tuple, int] = {}
        errors = []
        for line, r in rows:
            key = (r["unit"].pk, r["year"], r["sex"], r["age_band"])
            if key in seen:
                errors.append(RowError(line, None, f"Trùng xã, năm, giới tính và nhóm tuổi với dòng {seen[key]}.",
                                       f"Same commune, year, sex and age band as line {seen[key]}."))
            else:
                seen[key] = line
        return errors

    def save_rows(self, rows, result):
        objs = [PopulationEstimate(unit=r["unit"], year=r["year"], sex=r["sex"], age_band=r["age_band"],
                                   population=r["population"], source=r["source"]) for _, r in rows]
        PopulationEstimate.objects.bulk_create(
            objs, batch_size=2000, update_conflicts=True, unique_fields=["unit", "year", "sex", "age_band"],
            update_fields=["population", "source"],
        )
        bump("population")  # cached coverage denominators (core.dataversion), on commit
        result.imported = len(objs)


class Operator:
    """The actor of imports run from the console without --user: sees every unit; audited as "system"."""

    pk = None
    is_authenticated = True
    is_active = True
    sees_everything = True
    jurisdiction_unit = None

    def has_role(self, roles) -> bool:
        return True

    def __str__(self):
        return "system"


def actor_for(username: str | None):
    """The user named on the command line (his jurisdiction applies), or the console operator."""
    if not username:
        return Operator()
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"Không có người dùng {username} / no such user")


def print_result(stdout, result: ImportResult) -> None:
    for e in result.errors:
        stdout.write(str(e))
    state = "đã lưu / saved" if result.saved else "KHÔNG lưu gì / nothing saved"
    stdout.write(f"{result.total_rows} dòng/rows, {result.imported} nhập/imported, {len(result.errors)} lỗi/errors, "
                 f"{result.skipped_duplicates} đã có/already present — {state}")
    for note in result.notes:
        stdout.write(note)


class ImportFileCommand(BaseCommand):
    """The body shared by the `import_*` management commands: FILE, --user, --valid-only, run, report.

    Subclasses set `importer_class` and may add options (`add_arguments` + super), importer arguments
    (`importer_kwargs`) and output after the summary (`after_result`).
    """

    importer_class: type[TableImporter]
    user_help = "import as this user (his jurisdiction applies)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help=self.user_help)
        parser.add_argument("--valid-only", action="store_true")

    def importer_kwargs(self, opts) -> dict:
        return {}

    def after_result(self, importer, result: ImportResult) -> None:
        pass

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        extra = self.importer_kwargs(opts)  # before actor_for: a bad --commune is reported first, as before
        importer = self.importer_class(by=actor_for(opts["user"]), mode="valid_only" if opts["valid_only"] else "all", **extra)
        try:
            result = importer.run(path.read_bytes(), path.name)
        except (FileRejected, OSError) as exc:
            raise CommandError(str(exc))
        print_result(self.stdout, result)
        self.after_result(importer, result)
        if not result.saved:
            raise CommandError("Không nhập / not imported")


def run_village_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "villages" (options: mode)."""
    return VillageImporter(by=batch.created_by, mode=batch.options.get("mode", "all"), progress=progress).run(data, batch.file_name)


def run_population_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "population" (options: mode)."""
    return PopulationImporter(by=batch.created_by, mode=batch.options.get("mode", "all"), progress=progress).run(data, batch.file_name)


def run_boundary_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "boundaries" (options: code_property, structure): a GeoJSON FeatureCollection.
    Codes matching no unit are listed as skipped features (feature number as the line), not as errors."""
    from core.errors import Invalid

    from .services import import_boundaries

    try:
        out = import_boundaries(data, by=batch.created_by, code_property=batch.options.get("code_property") or None,
                                structure=batch.options.get("structure") or Structure.PRE_2025, source=batch.file_name)
    except Invalid as exc:
        raise FileRejected(exc.vi, exc.en) from exc
    progress(out["features"], out["features"])
    skipped = [RowError(number, None, f"Mã {code} không khớp đơn vị hành chính nào",
                        f"Code {code} matches no administrative unit") for number, code in out["unmatched_features"]]
    notes = [f"{out['skipped']} đối tượng không có mã hoặc không phải vùng (Polygon) / "
             f"{out['skipped']} features without a code or not polygons"] if out["skipped"] else []
    return ImportResult(total_rows=out["features"], imported=out["loaded"],
                        saved=True, skipped=skipped, notes=notes)
