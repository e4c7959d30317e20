"""Disease packs: one YAML or JSON file per disease (schema in docs/diseases.md).

    validate(text, filename) -> (pack, errors)     every error with its place in the file (line and path)
    load(text, filename, by=None) -> LoadResult    all or nothing: a pack with any error is refused whole
    export(code) -> str                            the pack of a disease as YAML, loadable again unchanged

Other apps add their own sections of a pack (e.g. `vaccines` by the vaccination app) with `register_section` in
their AppConfig.ready(): the diseases app never imports them (layers point one way). The kinds another app keeps in
its own model (vaccination_schedule, dose_policy, level_criteria: diseases.rules.register_kind) are versions in
`rules:` like every kind; a `TypedKind` reads and writes them.
"""
import datetime as dt
import json
import re
from dataclasses import dataclass, field

import yaml
from django.db import transaction

from audit.services import record
from core.errors import Invalid

from . import rules as rule_base
from .models import Circular54Group, Disease, RuleKind, RuleSet

MAX_PACK_BYTES = 2 * 1024 * 1024
TOP_FIELDS = {"code", "name", "name_en", "icd10", "group", "default", "active", "notes", "rules"}
REQUIRED_TOP = ("code", "name", "icd10", "group", "rules")
RULE_FIELDS = {"kind", "name", "source_document", "valid_from", "valid_to", "values", "notes", "unconfirmed", "unconfirmed_dates"}
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


class TypedKind:
    """A kind kept in another app's typed model, in a pack. `values` holds the model's value columns (a foreign key
    by the code of its row, e.g. `product: mr`), `extra` names model columns written on the version itself (criteria:
    `code`, `province`, `based_on`), `identity` the fields that find the version again on a second load, and
    `json_values` the JSON column that takes the values whole (criteria: each threshold with its source, flag, op).
    Typed columns keep one source per version: a value's own `source` must be the version's; its `confirmed: false`
    goes to `unconfirmed_fields`. `refs` names a pack section that may declare a referenced code (product → vaccines)."""

    def __init__(self, kind, model, *, identity=("valid_from",), extra=(), json_values=None, refs=None):
        self.kind, self.model, self.identity, self.extra = kind, model, tuple(identity), tuple(extra)
        self.json_values, self.refs = json_values, dict(refs or {})

    # -- the columns
    @property
    def columns(self) -> tuple:
        return () if self.json_values else tuple(self.model.value_fields)

    def _field(self, name):
        return self.model._meta.get_field(name)

    def _plain(self, entry):
        return entry.get("value") if isinstance(entry, dict) and "value" in entry else entry

    def _required(self, name) -> bool:
        f = self._field(name)
        return not f.null and not f.has_default() and not getattr(f, "blank", False)

    def validate(self, rule: dict, place: str, pack: dict, err) -> None:
        values = rule.get("values") if isinstance(rule.get("values"), dict) else {}
        for key in rule:
            if key in self.extra:
                continue
            if key not in RULE_FIELDS:
                err(f"{place}.{key}", f"Trường không biết “{key}”.", f"Unknown field “{key}”.")
        for name in self.extra:
            if self._required(name) and rule.get(name) in (None, ""):
                err(place, f"Thiếu trường bắt buộc “{name}” (loại {self.kind}).", f"Missing required field “{name}” (kind {self.kind}).")
            elif rule.get(name) not in (None, ""):
                self._check_value(name, rule[name], f"{place}.{name}", pack, err)
        if self.json_values:
            return
        source = str(rule.get("source_document") or "").strip()
        for key, entry in values.items():
            where = f"{place}.values.{key}"
            if key not in self.columns:
                err(where, f"Giá trị không biết “{key}” của loại {self.kind} (các giá trị: {', '.join(self.columns)}).",
                    f"Unknown value “{key}” of kind {self.kind} (values: {', '.join(self.columns)}).")
                continue
            if isinstance(entry, dict) and entry.get("source") not in (None, "") and str(entry["source"]).strip() != source:
                err(f"{where}.source", f"Loại {self.kind} ghi một văn bản nguồn cho cả phiên bản: hãy đặt nguồn này vào source_document.",
                    f"Kind {self.kind} keeps one source per version: put this source in source_document.")
            self._check_value(key, self._plain(entry), where, pack, err)
        for name in self.columns:
            if self._required(name) and name not in values:
                err(f"{place}.values", f"Thiếu giá trị bắt buộc “{name}” (loại {self.kind}).", f"Missing required value “{name}” (kind {self.kind}).")

    def _check_value(self, name, value, where, pack, err) -> None:
        from django.core.exceptions import ValidationError

        f = self._field(name)
        if value is None:
            if not f.null:
                err(where, f"“{name}” không được để trống.", f"“{name}” may not be empty.")
            return
        if f.is_relation:
            declared = {str(item.get("code")) for item in (pack.get(self.refs.get(name)) or []) if isinstance(item, dict)}
            if str(value) not in declared and not f.related_model.objects.filter(code=str(value)).exists():
                err(where, f"Không có “{value}” ({name}).", f"No “{value}” ({name}).")
            return
        try:
            f.run_validators(f.to_python(value))
        except ValidationError as exc:
            msg = "; ".join(str(m) for m in exc.messages)
            err(where, f"Giá trị không hợp lệ cho “{name}”: {msg}", f"Invalid value for “{name}”: {msg}")

    def scope_of(self, rule: dict) -> tuple:
        """The scope of a pack version (diseases.rules KindSpec.scope) for the in-pack overlap check."""
        values = rule.get("values") if isinstance(rule.get("values"), dict) else {}
        spec = rule_base.kind_spec(self.kind)
        return tuple(str(self._plain(values.get(n))) if n in values else str(rule.get(n)) for n in spec.scope)

    # -- load
    def _resolve(self, name, value):
        f = self._field(name)
        if f.is_relation and value not in (None, ""):
            return f.related_model.objects.get(code=str(value))
        return f.to_python(value) if value is not None else None

    def fields(self, disease, rule: dict) -> dict:
        start = _date(rule["valid_from"])
        end = _date(rule["valid_to"]) if rule.get("valid_to") not in (None, "") else None
        out = {"disease": disease, "valid_from": start, "valid_to": end,
               "source_document": str(rule["source_document"]).strip()[:self._field("source_document").max_length],
               "notes": rule.get("notes") or ""}
        if any(f.name == "name" for f in self.model._meta.concrete_fields):
            out["name"] = str(rule.get("name") or rule["source_document"]).strip()[:self._field("name").max_length]
        for name in self.extra:
            out[name] = self._resolve(name, rule.get(name))
        if self.json_values:
            out[self.json_values] = _values(rule, keep_extra=True)
            return out
        default_confirmed = not rule.get("unconfirmed", False)
        unconfirmed = []
        for key, entry in rule["values"].items():
            out[key] = self._resolve(key, self._plain(entry))
            confirmed = entry.get("confirmed", default_confirmed) if isinstance(entry, dict) else default_confirmed
            if not confirmed:
                unconfirmed.append(key)
        for date_key in ("valid_from", "valid_to"):  # an effective date flagged in the pack (valid_from: …, unconfirmed_dates)
            if date_key in (rule.get("unconfirmed_dates") or []):
                unconfirmed.append(date_key)
        out["unconfirmed_fields"] = unconfirmed
        out["confirmed"] = not unconfirmed
        return out

    def find(self, disease, wanted: dict):
        keys = {}
        for name in self.identity:
            v = wanted[name]
            keys[name] = v
        qs = self.model.objects.all() if "code" in self.identity else self.model.objects.filter(disease=disease)
        return qs.filter(**keys).first()

    # -- export
    def export(self, row) -> dict:
        item = {"kind": self.kind}
        if hasattr(row, "name") and not callable(row.name):
            item["name"] = row.name
        item.update({"source_document": row.source_document, "valid_from": row.valid_from.isoformat()})
        if row.valid_to:
            item["valid_to"] = row.valid_to.isoformat()
        for name in self.extra:
            v = getattr(row, name)
            if v not in (None, ""):
                item[name] = getattr(v, "code", v)
        if row.notes:
            item["notes"] = row.notes
        if self.json_values:
            item["values"] = {k: (v if isinstance(v, dict) else {"value": v}) for k, v in getattr(row, self.json_values).items()}
            return item
        flagged = set(row.unconfirmed_fields or ())
        dates = [d for d in ("valid_from", "valid_to") if d in flagged]
        if dates:
            item["unconfirmed_dates"] = dates
        values = {}
        for key in self.columns:
            v = row._raw(key)
            values[key] = {"value": v, "confirmed": False} if key in flagged else v
        item["values"] = values
        return item


def _typed(kind):
    spec = rule_base.typed_kinds().get(kind)
    return spec.pack if spec is not None else None


def all_kinds() -> list[str]:
    return list(RuleKind.values)


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
        kind = rule.get("kind")
        typed = _typed(kind) if isinstance(kind, str) else None
        if typed is not None:
            typed.validate(rule, place, data, err)
        else:
            for key in rule:
                if key not in RULE_FIELDS:
                    err(f"{place}.{key}", f"Trường không biết “{key}”.", f"Unknown field “{key}”.")
        if kind and kind not in all_kinds():
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
            scope = typed.scope_of(rule) if typed is not None else ()
            spans.setdefault((kind, scope), []).append((start, end, place))
    for (kind, _scope), versions in spans.items():
        versions.sort(key=lambda v: v[0])
        strict = rule_base.kind_spec(kind).strict
        for i, (s1, e1, p1) in enumerate(versions):
            if strict:  # criteria: no common day with any later version, open-ended or not
                for s2, _e2, p2 in versions[i + 1:]:
                    if s2 != s1 and (e1 is None or e1 >= s2):
                        err(f"{p1}.valid_to", f"Phiên bản “{kind}” chồng lên {p2} (bắt đầu {s2:%d/%m/%Y}).",
                            f"Overlapping “{kind}” versions: {p1} still runs when {p2} starts {s2:%d/%m/%Y}.")
                        break
        for (s1, e1, p1), (s2, _e2, p2) in zip(versions, versions[1:], strict=False):
            if s1 == s2:
                err(f"{p2}.valid_from", f"Phiên bản “{kind}” trùng ngày bắt đầu {s2:%d/%m/%Y} với {p1}.",
                    f"Overlapping “{kind}” version: same start {s2:%d/%m/%Y} as {p1}.")
            elif e1 and e1 >= s2 and not strict:
                err(f"{p1}.valid_to", f"Phiên bản “{kind}” chồng lên {p2}: hiệu lực đến {e1:%d/%m/%Y} nhưng {p2} bắt đầu {s2:%d/%m/%Y}.",
                    f"Overlapping “{kind}” versions: ends {e1:%d/%m/%Y} but {p2} starts {s2:%d/%m/%Y}.")
    for name, section in _SECTIONS.items():
        if name in data:
            for path, vi, en in section.validate(data[name], name) or []:
                err(path, vi, en)
    return (data if not errors else None), errors


def _values(rule: dict, keep_extra: bool = False) -> dict:
    source = str(rule["source_document"]).strip()
    default_confirmed = not rule.get("unconfirmed", False)
    out = {}
    for key, entry in rule["values"].items():
        if isinstance(entry, dict) and "value" in entry:
            extra = {k: v for k, v in entry.items() if k not in ("value", "source", "confirmed")} if keep_extra else {}
            out[key] = {"value": entry["value"], "source": str(entry.get("source") or source),
                        "confirmed": bool(entry.get("confirmed", default_confirmed)), **extra}
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
    typed_rules = []
    for i, rule in enumerate(data["rules"]):
        if _typed(rule["kind"]) is not None:
            typed_rules.append((i, rule))
            continue
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
    _load_typed(disease, typed_rules, result, filename, by, lines=_lines(text))
    return result


def _same(name, old, new) -> bool:
    if name == "unconfirmed_fields":  # a set kept as a list: its order carries nothing
        return sorted(old or []) == sorted(new or [])
    return old == new


def _lines(text) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return _parse(text)[1]


def _load_typed(disease, typed_rules, result: LoadResult, filename: str, by, *, create_only: bool = False,
                lines: dict | None = None) -> None:
    """The versions of kinds kept in other apps' models (after the sections: a schedule names a pack's vaccine).
    Each is checked against the versions already stored (diseases.rules.check_overlap); any clash refuses the pack."""
    from core.concurrency import update_versioned

    errors = []
    for i, rule in typed_rules:
        typed = _typed(rule["kind"])
        wanted = typed.fields(disease, rule)
        current = typed.find(disease, wanted)
        scope = {}
        for name in rule_base.kind_spec(typed.kind).scope:
            f = typed.model._meta.get_field(name)
            v = wanted.get(name)
            scope[f.attname] = getattr(v, "pk", v)
        try:
            rule_base.check_overlap(typed.kind, disease=disease, scope=scope, valid_from=wanted["valid_from"],
                                    valid_to=wanted["valid_to"], exclude_pk=current.pk if current else None)
        except Invalid as exc:
            place = f"rules[{i}].valid_from"
            errors.append(PackError(place, (lines or {}).get(place) or (lines or {}).get(f"rules[{i}]"), exc.vi, exc.en))
            continue
        if current is None:
            obj = typed.model(**wanted)
            obj.save()
            record(actor=by, action="create", obj=obj, changes={k: (None, str(v)) for k, v in wanted.items() if k != "disease"},
                   note=f"disease pack {filename}")
            result.created += 1
            continue
        if create_only:
            result.unchanged += 1
            continue
        changes = {k: (getattr(current, k), v) for k, v in wanted.items() if not _same(k, getattr(current, k), v)}
        if not changes:
            result.unchanged += 1
            continue
        if hasattr(current, "version"):
            update_versioned(current, expected_version=current.version, changes={k: v for k, (_o, v) in changes.items()})
        else:
            for k, (_o, v) in changes.items():
                setattr(current, k, v)
            current.save()
        rule_base.forget()  # update_versioned sends no post_save
        record(actor=by, action="update", obj=current, changes={k: (str(a), str(b)) for k, (a, b) in changes.items()},
               note=f"disease pack {filename}")
        result.updated += 1
    if errors:
        raise PackRefused(errors)


# Kinds a RuleSet may hold (those no app registers a model for); the shipped packs' other kinds wait for the apps.
RULESET_KINDS_AT_MIGRATION = set(RuleKind.values) - {"vaccination_schedule", "dose_policy", "level_criteria"}
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
    current_models = RuleSet is globals()["RuleSet"]
    typed_rules = []
    for i, rule in enumerate(data["rules"]):
        if rule["kind"] not in RULESET_KINDS_AT_MIGRATION and (not current_models or _typed(rule["kind"]) is not None):
            # another app's model: a data migration (historical models) leaves it to that app's own migrations
            if current_models:
                typed_rules.append((i, rule))
            continue
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
        result = LoadResult(disease)
        _load_typed(disease, typed_rules, result, f"{code}.yaml", None, create_only=True)
        return len(new) + result.created
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
    for _kind, spec in sorted(rule_base.typed_kinds().items(), key=lambda item: item[0]):
        for row in spec.model.objects.filter(disease=disease).order_by(*(spec.scope or ("pk",)), "valid_from", "pk"):
            rules.append(spec.pack.export(row))
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
