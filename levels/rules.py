"""Pure evaluation of the epidemic level (128/NQ-CP; criteria of 4800/QĐ-BYT and 218/QĐ-BYT) and version lookup.

`assess(values, version)` takes the criteria values of one unit for one week and a criteria version (its
`values` dict of thresholds) and returns the level, the version applied and every step of the reasoning.
It never invents a level: a required value that is missing gives level None and the list of what is missing.

Threshold keys of a version (each {"value", "source", "confirmed", optional "op": ">=" | ">"}):
  c1_<indicator>_band{2,3,4}_from   criterion 1 band limits; indicators: cases, oxygen, deaths (per 100k/week).
                                    A null value means the threshold is not known ([NF]): the indicator is shown
                                    but does not band.
  c2_adult_1dose_min, c2_elderly_full_min, c2_full_min, c2_high_risk_full_min   coverage minima (%).
  c3_mobile_stations_required, c3_home_care_required (bool), c3_free_beds_per_100k_min, c3_icu_beds_per_100k_min
  matrix_covered, matrix_not_covered   level for transmission band 1..4 when coverage is met / not met.
  no_raise_without_cases   no raise for coverage when the unit had no community case.
  c2_unmet_no_lowering, c3_unmet_no_lowering   the level may not go below the previous level.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from core.errors import Invalid
from diseases.rules import NoRuleInForce

# Criteria values an assessment takes (the API and the calculator use the same names).
INPUTS: dict[str, tuple[str, str]] = {
    "new_cases_per_100k_week": ("Ca mắc mới tại cộng đồng/100.000 dân/tuần", "New community cases per 100,000 per week"),
    "oxygen_per_100k_week": ("Người bệnh phải thở oxy/100.000 dân/tuần", "Patients on oxygen per 100,000 per week"),
    "deaths_per_100k_week": ("Ca tử vong/100.000 dân/tuần", "Deaths per 100,000 per week"),
    "adult_1dose_pct": ("Tỷ lệ người ≥18 tuổi tiêm ít nhất 1 liều (%)", "People aged 18+ with at least 1 dose (%)"),
    "age50_full_pct": ("Tỷ lệ người cao tuổi (≥50) tiêm đủ liều (%)", "Older people (50+) fully vaccinated (%)"),
    "full_pct": ("Tỷ lệ dân số tiêm đủ liều (%)", "Population fully vaccinated (%)"),
    "high_risk_full_pct": ("Tỷ lệ người có nguy cơ cao tiêm đủ liều (%)", "High-risk people fully vaccinated (%)"),
    "mobile_stations_ready": ("Có phương án trạm y tế lưu động", "Mobile medical stations planned"),
    "home_care_ready": ("Sẵn sàng quản lý, chăm sóc F0 tại nhà", "Ready to manage and care for F0 at home"),
    "free_beds_per_100k": ("Giường điều trị COVID-19 còn trống/100.000 dân", "Free COVID-19 beds per 100,000"),
    "icu_beds_per_100k": ("Giường hồi sức tích cực (ICU)/100.000 dân", "ICU beds per 100,000"),
}
BOOLEAN_INPUTS = {"mobile_stations_ready", "home_care_ready"}

TRANSMISSION = [("new_cases_per_100k_week", "c1_cases"), ("oxygen_per_100k_week", "c1_oxygen"), ("deaths_per_100k_week", "c1_deaths")]
COVERAGE = [
    ("adult_1dose_pct", "c2_adult_1dose_min"),
    ("age50_full_pct", "c2_elderly_full_min"),
    ("full_pct", "c2_full_min"),
    ("high_risk_full_pct", "c2_high_risk_full_min"),
]
CAPACITY = [
    ("mobile_stations_ready", "c3_mobile_stations_required"),
    ("home_care_ready", "c3_home_care_required"),
    ("free_beds_per_100k", "c3_free_beds_per_100k_min"),
    ("icu_beds_per_100k", "c3_icu_beds_per_100k_min"),
]
LEVEL_NAMES = {
    1: ("Cấp 1 – Nguy cơ thấp (xanh)", "Level 1 – low risk (green)"),
    2: ("Cấp 2 – Nguy cơ trung bình (vàng)", "Level 2 – medium risk (yellow)"),
    3: ("Cấp 3 – Nguy cơ cao (cam)", "Level 3 – high risk (orange)"),
    4: ("Cấp 4 – Nguy cơ rất cao (đỏ)", "Level 4 – very high risk (red)"),
}


@dataclass
class Step:
    """One step of the reasoning. Its text is not stored but rendered from a message code and its arguments
    (`MESSAGES`), in the reader's language when read: the country's weekly run stores 3,300 explanations, and
    both languages' sentences were half its bytes and a third of its rule time."""

    criterion: str  # "1", "2", "3", "level"
    key: str
    msg: str  # the message code (MESSAGES)
    args: tuple = ()  # the message's arguments beyond key, value and threshold
    value: object = None
    threshold: object = None
    source: str = ""
    confirmed: bool = True
    refs: list = field(default_factory=list)  # the version's parameter keys the step used (stored instead of `source`)

    @property
    def vi(self) -> str:
        return render(self.msg, self.key, self.value, self.threshold, self.args, "vi")

    @property
    def en(self) -> str:
        return render(self.msg, self.key, self.value, self.threshold, self.args, "en")

    def as_dict(self) -> dict:
        """The explanation as the calculator API and the stored rows of before gave it."""
        return {"criterion": self.criterion, "key": self.key, "vi": self.vi, "en": self.en, "value": self.value,
                "threshold": self.threshold, "source": self.source, "confirmed": self.confirmed, "refs": list(self.refs)}

    def stored(self) -> dict:
        """The compact form an Assessment stores (`expand_step` reads it back): the message code and arguments,
        defaults left out, and the sources as references to the version's parameters (resolved when shown)."""
        out = {"m": self.msg, "key": self.key}
        if self.args:
            out["a"] = list(self.args)
        if self.value is not None:
            out["value"] = self.value
        if self.threshold is not None:
            out["threshold"] = self.threshold
        if not self.confirmed:
            out["confirmed"] = False
        if self.refs:
            out["refs"] = self.refs
        elif self.source:
            out["source"] = self.source
        return out


@dataclass
class Missing:
    key: str
    vi: str
    en: str


@dataclass
class Result:
    level: int | None
    version_code: str
    version_name: str
    steps: list[Step] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    transmission_band: int | None = None
    coverage_met: bool | None = None
    capacity_met: bool | None = None

    @property
    def unconfirmed(self) -> bool:
        return any(not s.confirmed for s in self.steps)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "version": {"code": self.version_code, "name": self.version_name},
            "transmission_band": self.transmission_band,
            "coverage_met": self.coverage_met,
            "capacity_met": self.capacity_met,
            "uses_unconfirmed_thresholds": self.unconfirmed,
            "steps": [s.as_dict() for s in self.steps],
            "missing": [asdict(m) for m in self.missing],
        }


def _entry(values: dict, key: str) -> dict | None:
    e = values.get(key)
    if e is None:
        return None
    return e if isinstance(e, dict) else {"value": e, "source": "", "confirmed": True}


def _val(values: dict, key: str, default=None):
    e = _entry(values, key)
    return default if e is None or e.get("value") is None else e["value"]


def passes(value: float, threshold: float, op: str = ">=") -> bool:
    return value > threshold if op == ">" else value >= threshold


def _fmt(x) -> str:
    if isinstance(x, bool):
        return "có" if x else "không"
    if isinstance(x, float):  # the Vietnamese decimal mark: 59,7 not 59.7
        return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(x)


def _fmt_en(x) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    return _fmt(x)


# -- explanations: message codes rendered when read -----------------------------------------------------
def _met(ok, lang: str) -> str:
    return ("đạt" if ok else "không đạt") if lang == "vi" else ("met" if ok else "not met")


def _msg_c1_unknown(key, value, threshold, args, lang):
    label = INPUTS[key][lang == "en"]
    if lang == "vi":
        return f"{label}: {_fmt(value) if value is not None else '—'}. Ngưỡng chưa xác định trong văn bản nguồn, không dùng để phân nhóm."
    return f"{label}: {_fmt_en(value) if value is not None else '—'}. Thresholds not known from the source text; not used for banding."


def _msg_c1_band(key, value, threshold, args, lang):
    (band,) = args
    if lang == "vi":
        return f"{INPUTS[key][0]} = {_fmt(value)} → nhóm {band} ({threshold})."
    return f"{INPUTS[key][1]} = {_fmt_en(value)} → band {band} ({threshold.replace(' và ', ' and ')})."


def _msg_c2(key, value, threshold, args, lang):
    (ok,) = args
    if lang == "vi":
        return f"{INPUTS[key][0]} = {_fmt(value)}% (tối thiểu {_fmt(threshold)}%) → {_met(ok, lang)}."
    return f"{INPUTS[key][1]} = {_fmt_en(value)}% (minimum {_fmt(threshold)}%) → {_met(ok, lang)}."


def _msg_c3(key, value, threshold, args, lang):
    (ok,) = args
    if lang == "vi":
        required = "yêu cầu: có" if key in BOOLEAN_INPUTS else f"tối thiểu {_fmt(threshold)}"
        return f"{INPUTS[key][0]}: {_fmt(value)} ({required}) → {_met(ok, lang)}."
    required = "required: yes" if key in BOOLEAN_INPUTS else f"minimum {_fmt(threshold)}"
    return f"{INPUTS[key][1]}: {_fmt_en(value)} ({required}) → {_met(ok, lang)}."


def _msg_matrix(key, value, threshold, args, lang):
    band, covered = args
    if lang == "vi":
        return f"Nhóm lây nhiễm {band}, độ bao phủ vắc xin {_met(covered, lang)} → cấp {value}."
    return f"Transmission band {band}, vaccine coverage {_met(covered, lang)} → level {value}."


_KEPT = {"c2_unmet_no_lowering": ("tiêu chí 2 (bao phủ vắc xin) không đạt", "criterion 2 (coverage) not met"),
         "c3_unmet_no_lowering": ("tiêu chí 3 (năng lực y tế) không đạt", "criterion 3 (capacity) not met")}


def _msg_kept(key, value, threshold, args, lang):
    if lang == "vi":
        return f"{_KEPT[key][0].capitalize()}: giữ cấp độ trước đó (cấp {value}), không giảm."
    return f"{_KEPT[key][1].capitalize()}: the previous level ({value}) is kept, not lowered."


def _msg_result(key, value, threshold, args, lang):
    return f"Kết quả: {LEVEL_NAMES[value][0]}." if lang == "vi" else f"Result: {LEVEL_NAMES[value][1]}."


def _fixed(vi: str, en: str):
    return lambda key, value, threshold, args, lang: vi if lang == "vi" else en


def _msg_highest(key, value, threshold, args, lang):
    if lang == "vi":
        return f"Nhóm lây nhiễm = nhóm cao nhất của các chỉ số: {value}."
    return f"Transmission band = highest band of the indicators: {value}."


# message code → (criterion, renderer(key, value, threshold, args, lang)). Codes are stored: never rename one.
MESSAGES = {
    "c1_unknown": ("1", _msg_c1_unknown),
    "c1_band": ("1", _msg_c1_band),
    "c1_highest": ("1", _msg_highest),
    "c2": ("2", _msg_c2),
    "c3": ("3", _msg_c3),
    "no_raise": ("level", _fixed("Độ bao phủ vắc xin chưa đạt nhưng địa bàn không có ca mắc mới: không tăng cấp.",
                                 "Coverage not met but no new case in the area: no raise.")),
    "matrix": ("level", _msg_matrix),
    "kept": ("level", _msg_kept),
    "fall_no_capacity": ("level", _fixed("Cấp độ sẽ giảm nhưng chưa có số liệu năng lực y tế (tiêu chí 3): không xác định.",
                                         "The level would fall but capacity data (criterion 3) is missing: no level.")),
    "c3_no_previous": ("level", _fixed("Tiêu chí 3 không đạt; chưa biết cấp độ tuần trước nên chưa áp dụng quy tắc không giảm cấp.",
                                       "Criterion 3 not met; the previous level is unknown, so the no-lowering rule was not applied.")),
    "no_data": ("level", _fixed("Không xác định cấp độ vì thiếu số liệu.", "No level: data is missing.")),
    "result": ("level", _msg_result),
}


def render(msg: str, key: str, value, threshold, args, lang: str) -> str:
    return MESSAGES[msg][1](key, value, threshold, args, "en" if lang == "en" else "vi")


def step_text(stored: dict, lang: str) -> str:
    """A stored step's sentence in `lang` ("vi" or "en"): rendered from its code (compact rows), or the sentence
    stored with it (rows written before the compact form)."""
    if "m" not in stored:
        return stored.get(lang) or stored.get("vi", "")
    return render(stored["m"], stored["key"], stored.get("value"), stored.get("threshold"), stored.get("a", ()), lang)


def step_criterion(stored: dict) -> str:
    return MESSAGES[stored["m"]][0] if "m" in stored else stored.get("criterion", "")


def expand_step(stored: dict) -> dict:
    """A stored step as the API has always given it ({"criterion", "key", "vi", "en", "value", "threshold",
    ["source" when it has no refs], "confirmed", "refs"}), whichever form it was stored in."""
    if "m" not in stored:
        return stored
    out = {"criterion": step_criterion(stored), "key": stored["key"], "vi": step_text(stored, "vi"),
           "en": step_text(stored, "en"), "value": stored.get("value"), "threshold": stored.get("threshold")}
    refs = stored.get("refs", [])
    if not refs:
        out["source"] = stored.get("source", "")
    out["confirmed"] = stored.get("confirmed", True)
    out["refs"] = refs
    return out

def _number(x):
    if x is None or x == "":
        return None
    if isinstance(x, bool):
        return x
    return float(x)


def assess(values: dict, version_values: dict, *, version_code: str = "", version_name: str = "",
           previous_level: int | None = None) -> Result:
    """The level for criteria `values` under a version's thresholds. Pure: no database, no clock. The steps:
    criterion 1, transmission (`_transmission`); criterion 2, vaccination coverage (`_coverage`); criterion 3,
    capacity (`_capacity`); then, when no data is missing, the level from their combination (`_combine`). Each step
    appends its explanation to the result."""
    vv = version_values
    res = Result(level=None, version_code=version_code, version_name=version_name)
    vals = {k: _number(v) if k not in BOOLEAN_INPUTS else (None if v in (None, "") else bool(v)) for k, v in values.items()}
    _transmission(res, vals, vv)
    _coverage(res, vals, vv)
    capacity_unknown = _capacity(res, vals, vv)
    if res.missing or res.transmission_band is None:
        if res.transmission_band is None and not res.missing:
            res.missing.append(Missing("new_cases_per_100k_week", "Không có chỉ số lây nhiễm nào có ngưỡng",
                                       "No transmission indicator has thresholds"))
        res.steps.append(Step("level", "level", "no_data"))
        return res
    _combine(res, vals, vv, previous_level, capacity_unknown)
    return res


def _transmission(res: Result, vals: dict, vv: dict) -> None:
    """Criterion 1: transmission (band 1..4 per indicator, the highest band counts)."""
    bands = []
    for key, prefix in TRANSMISSION:
        limits = [(n, _entry(vv, f"{prefix}_band{n}_from")) for n in (2, 3, 4)]
        limits = [(n, e) for n, e in limits if e is not None]
        if not limits:
            continue
        known = [(n, e) for n, e in limits if e.get("value") is not None]
        value = vals.get(key)
        if not known:
            res.steps.append(Step("1", key, "c1_unknown", (), value, None, "; ".join(e.get("source", "") for _, e in limits), False,
                                  [f"{prefix}_band{n}_from" for n, _ in limits]))
            continue
        if value is None:
            label_vi, label_en = INPUTS[key]
            res.missing.append(Missing(key, f"Thiếu số liệu: {label_vi}", f"Missing: {label_en}"))
            continue
        band = 1
        for n, e in known:
            if passes(value, e["value"], e.get("op", ">=")):
                band = n
        # The band's own limits, for the explanation.
        lower = next((e for n, e in known if n == band), None)
        upper = next((e for n, e in known if n == band + 1), None)
        rng_vi = (f"{'>' if lower and lower.get('op') == '>' else '≥'}{_fmt(lower['value'])}" if lower else "") + (
            f"{' và ' if lower else ''}{'≤' if upper.get('op') == '>' else '<'}{_fmt(upper['value'])}" if upper else "")
        used = [e for e in (lower, upper) if e]
        res.steps.append(Step(
            "1", key, "c1_band", (band,), value, rng_vi, "; ".join(e.get("source", "") for e in used), all(e.get("confirmed", True) for e in used),
            [f"{prefix}_band{n}_from" for n in (band, band + 1) if any(m == n for m, _ in known)],
        ))
        bands.append(band)
    if bands and len(bands) > 1:
        res.steps.append(Step("1", "transmission_band", "c1_highest", (), max(bands), None,
                              "218/QĐ-BYT: cách kết hợp chưa xác định [NF]", False))
    res.transmission_band = max(bands) if bands else None


def _coverage(res: Result, vals: dict, vv: dict) -> None:
    """Criterion 2: vaccination coverage (every minimum of the version must be met)."""
    coverage = []
    for key, tkey in COVERAGE:
        e = _entry(vv, tkey)
        if e is None or e.get("value") is None:
            continue
        value = vals.get(key)
        if value is None:
            label_vi, label_en = INPUTS[key]
            res.missing.append(Missing(key, f"Thiếu số liệu: {label_vi}", f"Missing: {label_en}"))
            continue
        ok = passes(value, e["value"], e.get("op", ">="))
        res.steps.append(Step(
            "2", key, "c2", (ok,), value, e["value"], e.get("source", ""), e.get("confirmed", True), [tkey],
        ))
        coverage.append(ok)
    res.coverage_met = all(coverage) if coverage else None


def _capacity(res: Result, vals: dict, vv: dict) -> list:
    """Criterion 3: capacity. It only matters when the level would go down (4800: "the level shall remain").
    Returns what is missing for it (reported only if the level would fall)."""
    capacity, capacity_unknown = [], []
    for key, tkey in CAPACITY:
        e = _entry(vv, tkey)
        if e is None or e.get("value") in (None, False):
            continue
        value = vals.get(key)
        if value is None:
            label_vi, label_en = INPUTS[key]
            capacity_unknown.append(Missing(key, f"Thiếu số liệu: {label_vi}", f"Missing: {label_en}"))
            continue
        ok = bool(value) if key in BOOLEAN_INPUTS else passes(value, e["value"], e.get("op", ">="))
        res.steps.append(Step(
            "3", key, "c3", (ok,), value, e["value"], e.get("source", ""), e.get("confirmed", True), [tkey],
        ))
        capacity.append(ok)
    res.capacity_met = (all(capacity) if not capacity_unknown else (False if not all(capacity) else None)) if (capacity or capacity_unknown) else None
    return capacity_unknown


def _combine(res: Result, vals: dict, vv: dict, previous_level: int | None, capacity_unknown: list) -> None:
    """The level: the level matrix (band × coverage), then the rules that keep a level from falling."""
    band = res.transmission_band
    covered = res.coverage_met is not False
    no_cases = (vals.get("new_cases_per_100k_week") or 0) == 0
    matrix_key = "matrix_covered" if covered else "matrix_not_covered"
    rule = _entry(vv, "no_raise_without_cases")
    if not covered and no_cases and rule and rule.get("value"):
        matrix_key = "matrix_covered"
        res.steps.append(Step("level", "no_raise_without_cases", "no_raise", (), None, None,
                              rule.get("source", ""), rule.get("confirmed", True), ["no_raise_without_cases"]))
    m = _entry(vv, matrix_key)
    level = int(m["value"][band - 1])
    res.steps.append(Step(
        "level", matrix_key, "matrix", (band, covered), level, m["value"], m.get("source", ""), m.get("confirmed", True), [matrix_key],
    ))
    if previous_level and level < previous_level:
        for met, key in ((res.coverage_met, "c2_unmet_no_lowering"), (res.capacity_met, "c3_unmet_no_lowering")):
            rule = _entry(vv, key)
            if not (rule and rule.get("value")):
                continue
            if met is False:
                level = previous_level
                res.steps.append(Step("level", key, "kept", (), previous_level, None, rule.get("source", ""), rule.get("confirmed", True), [key]))
                break
        if level < previous_level and res.capacity_met is None and capacity_unknown:
            res.missing.extend(capacity_unknown)
            res.steps.append(Step("level", "level", "fall_no_capacity"))
            return
    elif res.capacity_met is False and not previous_level:
        res.steps.append(Step("level", "c3_unmet_no_lowering", "c3_no_previous"))
    res.level = level
    res.steps.append(Step("level", "level", "result", (), level))


# -- version lookup -------------------------------------------------------------------------------------
# Criteria versions are kind "level_criteria" of the one rule base (diseases.rules, registered in rule_kinds.py):
# the same lookup, cache, gap refusal and overlap check as every rule of every app.
class NoVersionInForce(NoRuleInForce):
    """No criteria version covers the day: the rule base's refusal (names the disease, the kind and the day)."""

    def __init__(self, on: dt.date, disease=None, field: str | None = None):
        from diseases.rules import get_disease

        try:
            disease = get_disease(disease)
        except Invalid:
            disease = disease or "—"
        super().__init__(disease, "level_criteria", on, field)
        name = getattr(disease, "name", str(disease))
        self.vi = (f"Không có bộ tiêu chí đánh giá cấp độ dịch cho {name} có hiệu lực ngày {on:%d/%m/%Y}: "
                   "hãy thêm một phiên bản có hiệu lực vào ngày này")


def province_path(path: str) -> str:
    return "/" + path.strip("/").split("/")[0] + "/"


def version_in_force(on: dt.date, unit=None, *, versions=None, disease=None):
    """The province's adaptation in force on `on` for the unit's province, else the national version.
    `versions`: the versions already read for a batch of units (diseases.rules.versions_in_force)."""
    from diseases.rules import versions_in_force

    from .rule_kinds import pick_criteria

    if versions is None:
        try:
            versions = versions_in_force(disease, "level_criteria", on)
        except Invalid:  # no disease yet
            versions = ()
    version = pick_criteria([v for v in versions if v.covers(on)], unit=unit)
    if version is None:
        raise NoVersionInForce(on, disease)
    return version


def assess_with_version(values: dict, version, previous_level: int | None = None) -> Result:
    return assess(values, version.values, version_code=version.code, version_name=version.name, previous_level=previous_level)
