"""Pure evaluation of the case rules. Every threshold comes from a diseases.RuleSet passed in; nothing here
queries the database, so each version can be tested at its boundary values.
"""
import datetime as dt
from dataclasses import dataclass

from core.errors import Invalid
from diseases.models import RuleSet

from .choices import ANTIVIRAL_ITEMS, SEVERITY_ORDER, SYMPTOM_CODES, SYMPTOM_LABELS, SYMPTOMS


@dataclass(frozen=True)
class Reason:
    code: str
    vi: str
    en: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message_vi": self.vi, "message_en": self.en}


# --- bad input ---------------------------------------------------------------------------------------------------
# Physiological plausibility, not clinical thresholds: values outside are typing errors and are refused.
BOUNDS = {
    "respiratory_rate": (1, 120, "Nhịp thở", "Respiratory rate", "lần/phút"),
    "spo2": (1, 100, "SpO2", "SpO2", "%"),
    "pulse": (20, 300, "Mạch", "Pulse", "lần/phút"),
    "temperature": (30, 45, "Nhiệt độ", "Temperature", "°C"),
    "systolic": (40, 300, "Huyết áp tối đa", "Systolic pressure", "mmHg"),
    "diastolic": (20, 200, "Huyết áp tối thiểu", "Diastolic pressure", "mmHg"),
}
MEASURES = list(BOUNDS)


# The thresholds each measure is judged by: a measure whose keys are all null in the rule in force (dengue has no
# SpO2 threshold) is not asked for on the check forms. Temperature has no threshold but is always asked for.
MEASURE_KEYS = {
    "spo2": ("spo2_max",),
    "respiratory_rate": ("rr_adult_min", "rr_5_12_min", "rr_1_5_min", "rr_under_1_min"),
    "pulse": ("pulse_high_above", "pulse_low_below"),
    "temperature": (),
    "systolic": ("systolic_below",),
    "diastolic": ("diastolic_below",),
}


def used_measures(rule: RuleSet | None) -> list[str]:
    """The measures the warning-sign rule judges (all of them when there is no rule: nothing to hide by)."""
    if rule is None:
        return list(MEASURES)
    return [m for m in MEASURES if not MEASURE_KEYS[m] or any(rule.value(k, None) is not None for k in MEASURE_KEYS[m])]


def own_symptoms(rule: RuleSet | None) -> dict:
    """A disease's own warning signs as its rule labels them ({code: {"vi", "en"}}, in the rule's order); empty for a
    rule that uses the general symptom list of the 261/QĐ-BYT form (COVID-19)."""
    if rule is None:
        return {}
    return {str(e["code"]): {"vi": str(e.get("vi") or e["code"]), "en": str(e.get("en") or e["code"])}
            for e in (rule.value("symptom_labels", None) or []) if isinstance(e, dict) and e.get("code")}


def symptom_choices(rule: RuleSet | None, language: str = "vi") -> list[tuple[str, str]]:
    """What a check form lists: the disease's own signs when its rule labels them, else the general symptoms."""
    own = own_symptoms(rule)
    if own:
        return [(code, label["en"] if language == "en" else label["vi"]) for code, label in own.items()]
    return list(SYMPTOMS)


def validate_check(values: dict, symptoms: list[str], rule: RuleSet | None = None) -> None:
    for key, (low, high, vi, en, unit) in BOUNDS.items():
        value = values.get(key)
        if value is None:
            continue
        if not low <= float(value) <= high:
            raise Invalid(
                f"{vi} {value} {unit} không hợp lệ (phải từ {low} đến {high}).",
                f"{en} {value} {unit} is impossible (must be between {low} and {high}).", field=key,
            )
    if values.get("systolic") is not None and values.get("diastolic") is not None and values["diastolic"] >= values["systolic"]:
        raise Invalid("Huyết áp tối thiểu phải nhỏ hơn huyết áp tối đa.", "Diastolic must be lower than systolic.", field="diastolic")
    known = SYMPTOM_CODES | set(own_symptoms(rule))
    unknown = [s for s in symptoms if s not in known]
    if unknown:
        raise Invalid(f"Triệu chứng không có trong danh sách: {', '.join(unknown)}",
                      f"Unknown symptom(s): {', '.join(unknown)}", field="symptoms")
    if all(values.get(k) is None for k in MEASURES) and not symptoms:
        raise Invalid("Phiếu theo dõi trống: hãy nhập ít nhất một chỉ số hoặc triệu chứng.",
                      "The check is empty: enter at least one measurement or symptom.")


# --- warning signs (261/QĐ-BYT: 11 dấu hiệu cảnh báo) ----------------------------------------------------------
def rr_threshold(rule: RuleSet, age: int | None) -> tuple[int, str]:
    """The respiratory-rate warning threshold (≥) for the age band, and the band's name."""
    if age is None or age >= 12:
        return rule.value("rr_adult_min"), "người lớn / adult"
    if age >= 5:
        return rule.value("rr_5_12_min"), "5–<12"
    if age >= 1:
        return rule.value("rr_1_5_min"), "1–<5"
    return rule.value("rr_under_1_min"), "<1"


def warning_signs(rule: RuleSet, *, age: int | None, values: dict, symptoms: list[str]) -> list[Reason]:
    signs: list[Reason] = []
    rr = values.get("respiratory_rate")
    if rr is not None:
        limit, band = rr_threshold(rule, age)
        if limit is not None and rr >= limit:
            signs.append(Reason("respiratory_rate", f"Nhịp thở {rr} lần/phút ≥ {limit} ({band})",
                                f"Respiratory rate {rr}/min ≥ {limit} ({band})"))
    spo2 = values.get("spo2")
    if spo2 is not None and rule.value("spo2_max") is not None and spo2 <= rule.value("spo2_max"):
        signs.append(Reason("spo2", f"SpO2 {spo2}% ≤ {rule.value('spo2_max')}%", f"SpO2 {spo2}% ≤ {rule.value('spo2_max')}%"))
    pulse = values.get("pulse")
    if pulse is not None:
        if rule.value("pulse_high_above") is not None and pulse > rule.value("pulse_high_above"):
            signs.append(Reason("pulse_high", f"Mạch nhanh {pulse} > {rule.value('pulse_high_above')} lần/phút",
                                f"Pulse {pulse} > {rule.value('pulse_high_above')}/min"))
        if rule.value("pulse_low_below") is not None and pulse < rule.value("pulse_low_below"):
            signs.append(Reason("pulse_low", f"Mạch chậm {pulse} < {rule.value('pulse_low_below')} lần/phút",
                                f"Pulse {pulse} < {rule.value('pulse_low_below')}/min"))
    sys_, dia = values.get("systolic"), values.get("diastolic")
    if sys_ is not None and rule.value("systolic_below") is not None and sys_ < rule.value("systolic_below"):
        signs.append(Reason("systolic_low", f"Huyết áp tối đa {sys_} < {rule.value('systolic_below')} mmHg",
                            f"Systolic {sys_} < {rule.value('systolic_below')} mmHg"))
    if dia is not None and rule.value("diastolic_below") is not None and dia < rule.value("diastolic_below"):
        signs.append(Reason("diastolic_low", f"Huyết áp tối thiểu {dia} < {rule.value('diastolic_below')} mmHg",
                            f"Diastolic {dia} < {rule.value('diastolic_below')} mmHg"))
    warning_symptoms = set(rule.value("symptoms") or [])
    # A disease's own signs (e.g. dengue's) carry their labels in the rule: {"code", "vi", "en"}.
    own = own_symptoms(rule)
    for s in symptoms:
        if s in warning_symptoms:
            if s in own:
                signs.append(Reason(f"symptom:{s}", own[s]["vi"], own[s]["en"]))
                continue
            label = str(SYMPTOM_LABELS.get(s, s))
            signs.append(Reason(f"symptom:{s}", label, s.replace("_", " ")))
    return signs


# --- home-care eligibility -------------------------------------------------------------------------------------
def home_care_eligibility(rule: RuleSet, *, age: int | None, severity: str, respiratory_rate: int | None,
                          spo2: int | None, fully_vaccinated: bool, has_comorbidity: bool, comorbidity_stable: bool,
                          pregnant: bool, can_self_care: bool, has_phone: bool) -> list[Reason]:
    """Reasons the person may NOT be cared for at home; an empty list means eligible."""
    reasons: list[Reason] = []
    if rule.value("home_care_allowed", True) is False:  # e.g. COVID-19 before 4038/QĐ-BYT: every F0 in hospital
        reasons.append(Reason("hospital_only", f"Theo {rule.source_document}, mọi ca bệnh điều trị tại cơ sở y tế",
                              f"Under {rule.source_document}, every case is treated in a health facility"))
    max_sev = rule.value("max_severity", "mild")
    if severity in SEVERITY_ORDER and SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(max_sev):
        reasons.append(Reason("severity", "Mức độ bệnh nặng hơn mức nhẹ", "Illness is worse than mild"))
    if respiratory_rate is not None and rule.value("rr_max") is not None and respiratory_rate > rule.value("rr_max"):
        reasons.append(Reason("respiratory_rate", f"Nhịp thở {respiratory_rate} > {rule.value('rr_max')} lần/phút",
                              f"Respiratory rate {respiratory_rate} > {rule.value('rr_max')}/min"))
    if spo2 is not None and rule.value("spo2_min") is not None and spo2 < rule.value("spo2_min"):
        reasons.append(Reason("spo2", f"SpO2 {spo2}% < {rule.value('spo2_min')}%", f"SpO2 {spo2}% < {rule.value('spo2_min')}%"))
    vaccinated_path = bool(rule.value("vaccinated_qualifies") and fully_vaccinated)
    comorbidity_reason = Reason("comorbidity", "Có bệnh nền chưa được điều trị ổn định",
                                "Has a comorbidity that is not under stable treatment")
    if has_comorbidity and rule.value("comorbidity_allowed_if_stable") and not comorbidity_stable:
        reasons.append(comorbidity_reason)  # 261: a comorbidity under stable treatment is allowed
    elif has_comorbidity and not vaccinated_path and rule.value("unvaccinated_requires_no_comorbidity"):
        reasons.append(Reason("comorbidity", "Chưa tiêm đủ liều và có bệnh nền", "Not fully vaccinated and has a comorbidity"))
    if not vaccinated_path:
        over, under = rule.value("unvaccinated_age_over"), rule.value("unvaccinated_age_under")
        if age is not None and over is not None and age <= over:
            reasons.append(Reason("age", f"Chưa tiêm đủ liều và {age} tuổi (phải trên {over})",
                                  f"Not fully vaccinated and aged {age} (must be over {over})"))
        if age is not None and under is not None and age >= under:
            reasons.append(Reason("age", f"Chưa tiêm đủ liều và {age} tuổi (phải dưới {under})",
                                  f"Not fully vaccinated and aged {age} (must be under {under})"))
        if pregnant and rule.value("unvaccinated_requires_not_pregnant"):
            reasons.append(Reason("pregnant", "Chưa tiêm đủ liều và đang mang thai", "Not fully vaccinated and pregnant"))
    if rule.value("requires_self_care_or_carer"):
        if not can_self_care:
            reasons.append(Reason("self_care", "Không tự chăm sóc được và không có người chăm sóc",
                                  "Cannot look after themselves and has no carer"))
        if not has_phone:
            reasons.append(Reason("phone", "Không có điện thoại hoặc phương tiện liên lạc", "Has no phone or means of contact"))
    return reasons


# --- release ---------------------------------------------------------------------------------------------------
def release_dates(rule: RuleSet, *, confirmed_on: dt.date, fully_vaccinated: bool) -> tuple[dt.date, dt.date]:
    """(earliest release with a negative test, release date if the test stays positive).

    Days are counted from the day of confirmation: 261 "đủ 7 ngày" → confirmed 01/02 gives 08/02.
    """
    earliest = confirmed_on + dt.timedelta(days=int(rule.value("min_days")))
    key = "max_days_positive_vaccinated" if fully_vaccinated else "max_days_positive_unvaccinated"
    latest = confirmed_on + dt.timedelta(days=int(rule.value(key) or rule.value("min_days")))
    return earliest, max(earliest, latest)


# --- medicine --------------------------------------------------------------------------------------------------
def medicine_refusals(rule: RuleSet, *, item: str, age: int | None, pregnant: bool, breastfeeding: bool) -> list[Reason]:
    if item not in ANTIVIRAL_ITEMS:
        return []
    reasons = []
    min_age = rule.value("molnupiravir_min_age")
    if min_age is not None and age is not None and age < min_age:
        reasons.append(Reason("age", f"Molnupiravir không dùng cho người dưới {min_age} tuổi ({rule.source_document})",
                              f"Molnupiravir is not for people under {min_age} ({rule.source_document})"))
    if pregnant and rule.value("molnupiravir_not_pregnant"):
        reasons.append(Reason("pregnant", f"Molnupiravir không dùng cho phụ nữ có thai ({rule.source_document})",
                              f"Molnupiravir is not for pregnant women ({rule.source_document})"))
    if breastfeeding and rule.value("molnupiravir_not_breastfeeding"):
        reasons.append(Reason("breastfeeding", f"Molnupiravir không dùng cho phụ nữ đang cho con bú ({rule.source_document})",
                              f"Molnupiravir is not for breastfeeding women ({rule.source_document})"))
    return reasons
