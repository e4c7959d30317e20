"""Disease packs: one YAML or JSON file per disease (schema in docs/diseases.md).

    validate(text, filename) -> (pack, errors)     every error with its place in the file (line and path)
    load(text, filename, by=None) -> LoadResult    all or nothing: a pack with any error is refused whole
    export(code) -> str                            the pack of a disease as YAML, loadable again unchanged

Other apps add their own sections of a pack (e.g. `vaccines` by the vaccination app) with `register_section` in
their AppConfig.ready(): the diseases app never imports them (layers point one way).
"""
import datetime as dt
import json
import re
from dataclasses import dataclass, field

import yaml
from django.db import transaction

from audit.services import record
from core.errors import Invalid

from .models import Circular54Group, Disease, RuleKind, RuleSet

MAX_PACK_BYTES = 2 * 1024 * 1024
TOP_FIELDS = {"code", "name", "name_en", "icd10", "group", "default", "active", "notes", "rules"}
REQUIRED_TOP = ("code", "name", "icd10", "group", "rules")
RULE_FIELDS = {"kind", "name", "source_document", "valid_from", "valid_to", "values", "notes", "unconfirmed"}
REQUIRED_RULE = ("kind", "source_document", "valid_from", "values")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,49}$")


@dataclass
class Section:
    """A pack section owned by another app: validate(data, place) -> [(path, vi, en)], load(disease, data, by),
    export(disease) -> data or None."""
    name: str
    validate: object
    load: object
    export: object


_SECTIONS: dict[str, Section] = {}


def register_section(name: str, *, validate, load, export) -> None:
    _SECTIONS[name] = Section(name, validate, load, export)


@dataclass
class PackError:
    path: str
    line: int | None
    vi: str
    en: str

    def __str__(self):
        where = f"dòng {self.line}, " if self.line else ""
        where_en = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path}: {self.vi} / {where_en}{self.path}: {self.en}"


class PackRefused(Invalid):
    def __init__(self, errors: list[PackError]):
        self.errors = errors
        super().__init__(
            f"Gói bệnh bị từ chối ({len(errors)} lỗi), không có gì được nạp.",
            f"Disease pack refused ({len(errors)} errors), nothing loaded.",
        )


@dataclass
class LoadResult:
    disease: Disease
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_pack: list = field(default_factory=list)


# --- reading with line numbers -------------------------------------------------------------------------------------
def _parse(text: str) -> tuple[object, dict]:
    """The data and a map path -> line (1-based), from YAML (JSON is read as YAML)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[str, int] = {}
    loader = yaml.SafeLoader("")

    def build(n, path):
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            out = {}
            for k, v in n.value:
                key = loader.construct_object(k, deep=True)
                out[key] = build(v, f"{path}.{key}" if path else str(key))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, f"{path}[{i}]") for i, v in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    return (build(node, "") if node is not None else None), lines


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
    raise ValueError(value)


def validate(text: str | bytes, filename: str = "pack") -> tuple[dict | None, list[PackError]]:
    if isinstance(text, bytes):
        if len(text) > MAX_PACK_BYTES:
            return None, [PackError("", None, f"Tệp quá lớn (tối đa {MAX_PACK_BYTES // 1024} KB).",
                                    f"File too large (at most {MAX_PACK_BYTES // 1024} KB).")]
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [PackError("", None, "Tệp không phải UTF-8.", "The file is not UTF-8.")]
    try:
        data, lines = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [PackError("", mark.line + 1 if mark else None, f"Không đọc được YAML/JSON: {getattr(exc, 'problem', exc)}",
                                f"Cannot read YAML/JSON: {getattr(exc, 'problem', exc)}")]
    errors: list[PackError] = []

    def err(path, vi, en):
        line = lines.get(path)
        probe = path
        while line is None and probe:
            probe = probe.rsplit(".", 1)[0] if "." in probe else re.sub(r"\[\d+\]$", "", probe) if probe.endswith("]") else ""
            line = lines.get(probe)
        errors.append(PackError(path or "(gốc)", line, vi, en))

    if not isinstance(data, dict):
        err("", "Gói bệnh phải là một đối tượng (code, name, rules …).", "A pack must be a mapping (code, name, rules …).")
        return None, errors
    for key in REQUIRED_TOP:
        if data.get(key) in (None, "", []):
            err(key if key in data else "", f"Thiếu trường bắt buộc “{key}”.", f"Missing required field “{key}”.")
    for key in data:
        if key not in TOP_FIELDS and key not in _SECTIONS:
            err(str(key), f"Trường không biết “{key}”.", f"Unknown field “{key}”.")
    code = data.get("code")
    if code and not (isinstance(code, str) and CODE_RE.match(code)):
        err("code", "Mã bệnh chỉ gồm chữ thường không dấu, số, “-” và “_”.", "The code may hold only lowercase letters, digits, “-” and “_”.")
    if data.get("group") not in (None, "") and data.get("group") not in Circular54Group.values:
        err("group", "Nhóm bệnh phải là A, B hoặc C (Thông tư 54).", "The group must be A, B or C (Circular 54).")
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        err("rules", "“rules” phải là một danh sách.", "“rules” must be a list.")
        rules = []
    spans: dict[str, list] = {}
    for i, rule in enumerate(rules):
        place = f"rules[{i}]"
        if not isinstance(rule, dict):
            err(place, "Mỗi phiên bản quy định phải là một đối tượng.", "Each rule version must be a mapping.")
            continue
        for key in REQUIRED_RULE:
            if rule.get(key) in (None, "", {}, []):
                err(f"{place}.{key}" if key in rule else place, f"Thiếu trường bắt buộc “{key}”.", f"Missing required field “{key}”.")
        for key in rule:
            if key not in RULE_FIELDS:
                err(f"{place}.{key}", f"Trường không biết “{key}”.", f"Unknown field “{key}”.")
        kind = rule.get("kind")
        if kind and kind not in RuleKind.values:
            err(f"{place}.kind", f"Loại quy định không biết “{kind}” (các loại: {', '.join(RuleKind.values)}).",
                f"Unknown rule kind “{kind}” (kinds: {', '.join(RuleKind.values)}).")
        start = end = None
        for key in ("valid_from", "valid_to"):
            if rule.get(key) not in (None, ""):
                try:
                    parsed = _date(rule[key])
                except ValueError:
                    err(f"{place}.{key}", "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).", "Invalid date (dd/mm/yyyy or yyyy-mm-dd).")
                    continue
                if key == "valid_from":
                    start = parsed
                else:
                    end = parsed
        if start and end and end < start:
            err(f"{place}.valid_to", "Ngày hết hiệu lực trước ngày bắt đầu.", "valid_to is before valid_from.")
        values = rule.get("values")
        if values not in (None, "", {}) and not isinstance(values, dict):
            err(f"{place}.values", "“values” phải là một đối tượng khóa → giá trị.", "“values” must be a mapping key → value.")
        elif isinstance(values, dict):
            for key, entry in values.items():
                if isinstance(entry, dict) and "value" not in entry:
                    err(f"{place}.values.{key}", "Giá trị dạng đối tượng phải có “value” (và “source”, “confirmed”).",
                        "An entry given as a mapping needs “value” (and “source”, “confirmed”).")
        if kind in RuleKind.values and start:
            spans.setdefault(kind, []).append((start, end, place))
    for kind, versions in spans.items():
        versions.sort(key=lambda v: v[0])
        for (s1, e1, p1), (s2, _e2, p2) in zip(versions, versions[1:], strict=False):
            if s1 == s2:
                err(f"{p2}.valid_from", f"Phiên bản “{kind}” trùng ngày bắt đầu {s2:%d/%m/%Y} với {p1}.",
                    f"Overlapping “{kind}” version: same start {s2:%d/%m/%Y} as {p1}.")
            elif e1 and e1 >= s2:
                err(f"{p1}.valid_to", f"Phiên bản “{kind}” chồng lên {p2}: hiệu lực đến {e1:%d/%m/%Y} nhưng {p2} bắt đầu {s2:%d/%m/%Y}.",
                    f"Overlapping “{kind}” versions: ends {e1:%d/%m/%Y} but {p2} starts {s2:%d/%m/%Y}.")
    for name, section in _SECTIONS.items():
        if name in data:
            for path, vi, en in section.validate(data[name], name) or []:
                err(path, vi, en)
    return (data if not errors else None), errors


def _values(rule: dict) -> dict:
    source = str(rule["source_document"]).strip()
    default_confirmed = not rule.get("unconfirmed", False)
    out = {}
    for key, entry in rule["values"].items():
        if isinstance(entry, dict) and "value" in entry:
            out[key] = {"value": entry["value"], "source": str(entry.get("source") or source),
                        "confirmed": bool(entry.get("confirmed", default_confirmed))}
        else:
            out[key] = {"value": entry, "source": source, "confirmed": default_confirmed}
    return json.loads(json.dumps(out, default=str))  # dates in values become ISO text, as JSONField stores them


@transaction.atomic
def load(text: str | bytes, filename: str = "pack", *, by=None) -> LoadResult:
    """Create or update a disease and its versions from a pack; idempotent (a second load changes nothing)."""
    data, errors = validate(text, filename)
    if errors:
        raise PackRefused(errors)
    fields = {"name": data["name"], "name_en": data.get("name_en") or "", "icd10": str(data["icd10"]),
              "group": data["group"], "notes": data.get("notes") or "", "is_active": bool(data.get("active", True))}
    disease = Disease.objects.filter(code=data["code"]).first()
    if disease is None:
        disease = Disease.objects.create(code=data["code"], **fields)
        record(actor=by, action="create", obj=disease, changes={k: (None, v) for k, v in fields.items()})
    else:
        changes = {k: (getattr(disease, k), v) for k, v in fields.items() if getattr(disease, k) != v}
        if changes:
            Disease.objects.filter(pk=disease.pk).update(**fields)
            disease.refresh_from_db()
            record(actor=by, action="update", obj=disease, changes=changes)
    if data.get("default") and not disease.is_default:
        Disease.objects.filter(is_default=True).update(is_default=False)
        Disease.objects.filter(pk=disease.pk).update(is_default=True)
        disease.refresh_from_db()
        record(actor=by, action="update", obj=disease, changes={"is_default": (False, True)})
    result = LoadResult(disease)
    existing = {(r.kind, r.valid_from): r for r in RuleSet.objects.filter(disease=disease)}
    seen = set()
    for rule in data["rules"]:
        start = _date(rule["valid_from"])
        end = _date(rule["valid_to"]) if rule.get("valid_to") not in (None, "") else None
        wanted = {"name": str(rule.get("name") or rule["source_document"]).strip()[:200],
                  "source_document": str(rule["source_document"]).strip()[:200], "valid_to": end,
                  "values": _values(rule), "notes": rule.get("notes") or ""}
        key = (rule["kind"], start)
        seen.add(key)
        current = existing.get(key)
        if current is None:
            obj = RuleSet.objects.create(disease=disease, kind=rule["kind"], valid_from=start, created_by=by if getattr(by, "pk", None) else None, **wanted)
            record(actor=by, action="create", obj=obj, changes={"source_document": (None, obj.source_document),
                                                                  "valid_from": (None, start), "values": (None, obj.values)})
            result.created += 1
            continue
        changes = {k: (getattr(current, k), v) for k, v in wanted.items() if getattr(current, k) != v}
        if not changes:
            result.unchanged += 1
            continue
        for k, v in wanted.items():
            setattr(current, k, v)
        current.save()
        record(actor=by, action="update", obj=current, changes=changes, note=f"disease pack {filename}")
        result.updated += 1
    result.not_in_pack = [r for k, r in existing.items() if k not in seen]
    for name, section in _SECTIONS.items():
        if name in data:
            section.load(disease, data[name], by)
    return result


PACK_DIR = __import__("pathlib").Path(__file__).resolve().parent / "pack_files"
SHIPPED = ("covid19", "measles", "dengue")


def shipped_pack(code: str) -> str:
    return (PACK_DIR / f"{code}.yaml").read_text(encoding="utf-8")


def install_missing(code: str, Disease=Disease, RuleSet=RuleSet) -> int:
    """Create a shipped pack's disease and the versions the database lacks, never changing an existing one.

    For data migrations (pass the historical models), tests and the demo; returns the number of versions created.
    An officer's later edits are kept: only `phongdich diseases load` updates versions in place (audited)."""
    data, errors = validate(shipped_pack(code), f"{code}.yaml")
    if errors:
        raise PackRefused(errors)
    disease = Disease.objects.filter(code=code).first()
    if disease is None:
        extra = {}
        names = {f.name for f in Disease._meta.get_fields()}
        for key, name in (("name_en", "name_en"), ("group", "group")):
            if name in names:
                extra[name] = data.get(key) or ""
        disease = Disease.objects.create(code=code, name=data["name"], icd10=str(data["icd10"]), **extra)
    if "is_default" in {f.name for f in Disease._meta.get_fields()} and data.get("default") \
            and not Disease.objects.filter(is_default=True).exists():
        Disease.objects.filter(pk=disease.pk).update(is_default=True)
    have = set(RuleSet.objects.filter(disease=disease).values_list("kind", "valid_from"))
    new = []
    for rule in data["rules"]:
        start = _date(rule["valid_from"])
        if (rule["kind"], start) in have:
            continue
        new.append(RuleSet(disease=disease, kind=rule["kind"], valid_from=start,
                           valid_to=_date(rule["valid_to"]) if rule.get("valid_to") not in (None, "") else None,
                           name=str(rule.get("name") or rule["source_document"])[:200],
                           source_document=str(rule["source_document"])[:200], values=_values(rule), notes=rule.get("notes") or ""))
    RuleSet.objects.bulk_create(new)
    if RuleSet is globals()["RuleSet"]:  # the current models (not a migration): the other apps' sections too
        from .rules import forget

        if new:
            forget()  # bulk_create sends no post_save
        for name, section in _SECTIONS.items():
            if name in data:
                section.load(disease, data[name], None)
    return len(new)


def pack_data(code: str) -> dict:
    disease = Disease.objects.filter(code=code).first()
    if disease is None:
        raise Invalid(f"Không có bệnh mã “{code}”.", f"No disease with code “{code}”.")
    data = {"code": disease.code, "name": disease.name, "name_en": disease.name_en, "icd10": disease.icd10,
            "group": disease.group, "default": disease.is_default, "active": disease.is_active}
    if disease.notes:
        data["notes"] = disease.notes
    rules = []
    for r in RuleSet.objects.filter(disease=disease).order_by("kind", "valid_from"):
        item = {"kind": r.kind, "name": r.name, "source_document": r.source_document, "valid_from": r.valid_from.isoformat()}
        if r.valid_to:
            item["valid_to"] = r.valid_to.isoformat()
        if r.notes:
            item["notes"] = r.notes
        item["values"] = {k: (v if isinstance(v, dict) else {"value": v}) for k, v in r.values.items()}
        rules.append(item)
    data["rules"] = rules
    for name, section in _SECTIONS.items():
        part = section.export(disease)
        if part:
            data[name] = part
    return data


def export(code: str) -> str:
    return yaml.safe_dump(pack_data(code), allow_unicode=True, sort_keys=False, width=120)
