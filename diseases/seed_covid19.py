"""COVID-19 rule versions shipped with the system (from shared/domain/rules-research.md).

Each value carries its source and whether the research confirmed it ([C]) or not ([I]/[NF] → confirmed=False,
editable and flagged in the UI). The F1 quarantine kind is seeded by the contacts app, "fully_vaccinated" by the
vaccination app. Used by the data migration diseases/0002 (kept as plain data so the migration stays frozen).
"""

S4038 = "4038/QĐ-BYT ngày 21/08/2021"
S11042 = "11042/BYT-DP ngày 29/12/2021"
S261 = "261/QĐ-BYT ngày 31/01/2022"
S762 = "762/BYT-DP ngày 21/02/2022"
ISSUE = "Chỉ đạo của tỉnh (seed 002, mục 7): không để F0 không liên hệ được / không có thuốc kịp thời"


def v(value, source, confirmed=True):
    return {"value": value, "source": source, "confirmed": confirmed}


WARNING_SYMPTOMS_261 = [
    "dyspnoea", "chest_pain", "altered_consciousness", "cyanosis", "cannot_drink", "acute_illness", "other_instability",
]

RULES = [
    # --- who may be cared for at home -------------------------------------------------------------
    {
        "kind": "home_care", "name": "Quản lý F0 tại nhà theo 4038/QĐ-BYT", "source_document": S4038,
        "valid_from": "2021-08-21",
        "values": {
            "rr_max": v(20, S4038 + ": nhịp thở ≤ 20 lần/phút"),
            "spo2_min": v(96, S4038 + ": SpO2 ≥ 96% khi thở khí trời"),
            "max_severity": v("mild", S4038 + ": không triệu chứng hoặc nhẹ"),
            "vaccinated_qualifies": v(True, S4038 + ": đã tiêm đủ liều, HOẶC đủ 3 yếu tố"),
            "unvaccinated_age_over": v(1, S4038 + ": tuổi > 1"),
            "unvaccinated_age_under": v(50, S4038 + ": tuổi < 50"),
            "unvaccinated_requires_no_comorbidity": v(True, S4038 + ": không có bệnh nền (Phụ lục 01)"),
            "unvaccinated_requires_not_pregnant": v(True, S4038 + ": yếu tố thứ 3 bị cắt trong trích dẫn [NF]", False),
            "comorbidity_allowed_if_stable": v(False, S4038),
            "requires_self_care_or_carer": v(False, S4038 + " [NF]", False),
        },
    },
    {
        "kind": "home_care", "name": "Quản lý F0 tại nhà theo 261/QĐ-BYT", "source_document": S261,
        "valid_from": "2022-01-31",
        "values": {
            "rr_max": v(19, S261 + ": nhịp thở < 20 lần/phút"),
            "spo2_min": v(97, S261 + ": SpO2 > 96% khi thở khí trời"),
            "max_severity": v("mild", S261 + ": không triệu chứng hoặc nhẹ"),
            "vaccinated_qualifies": v(True, S261 + ": không giới hạn tuổi"),
            "unvaccinated_age_over": v(None, S261 + ": không giới hạn tuổi"),
            "unvaccinated_age_under": v(None, S261 + ": không giới hạn tuổi"),
            "unvaccinated_requires_no_comorbidity": v(False, S261),
            "unvaccinated_requires_not_pregnant": v(False, S261),
            "comorbidity_allowed_if_stable": v(True, S261 + ": có bệnh nền nhưng đang được điều trị ổn định"),
            "requires_self_care_or_carer": v(True, S261 + ": tự chăm sóc được hoặc có người chăm sóc; có điện thoại"),
        },
    },
    # --- monitoring cadence and the province's "nobody left unreachable" limits ----------------------
    {
        "kind": "monitoring", "name": "Theo dõi sức khỏe F0 tại nhà theo 4038/QĐ-BYT", "source_document": S4038,
        "valid_from": "2021-08-21",
        "values": {
            "checks_per_day": v(2, S4038 + " [NF: tần suất chưa xác nhận]", False),
            "no_check_hours": v(12, ISSUE),
            "ack_within_minutes": v(60, ISSUE),
            "medicine_within_hours": v(24, ISSUE),
        },
    },
    {
        "kind": "monitoring", "name": "Theo dõi sức khỏe F0 tại nhà theo 261/QĐ-BYT", "source_document": S261,
        "valid_from": "2022-01-31",
        "values": {
            "checks_per_day": v(2, S261 + ": 2 lần/ngày (sáng, chiều) hoặc khi có dấu hiệu cảnh báo"),
            "no_check_hours": v(12, ISSUE),
            "ack_within_minutes": v(60, ISSUE),
            "medicine_within_hours": v(24, ISSUE),
        },
    },
    # --- warning signs --------------------------------------------------------------------------------
    {
        "kind": "warning_signs", "name": "Dấu hiệu cảnh báo theo 4038/QĐ-BYT", "source_document": S4038,
        "valid_from": "2021-08-21",
        "values": {
            # 4038 states home-care eligibility (RR ≤ 20, SpO2 ≥ 96); the warning thresholds below are inferred from it.
            "rr_adult_min": v(21, S4038 + " [I]: nhịp thở > 20 lần/phút", False),
            "rr_1_5_min": v(40, S261 + " [NF trong 4038; dùng mức của 261]", False),
            "rr_5_12_min": v(30, S261 + " [NF trong 4038; dùng mức của 261]", False),
            "rr_under_1_min": v(50, "[NF] chưa có nguồn", False),
            "spo2_max": v(95, S4038 + " [I]: SpO2 < 96%", False),
            "pulse_high_above": v(120, S261 + " [NF trong 4038]", False),
            "pulse_low_below": v(50, S261 + " [NF trong 4038]", False),
            "systolic_below": v(90, S261 + " [NF trong 4038]", False),
            "diastolic_below": v(60, S261 + " [NF trong 4038]", False),
            "symptoms": v(WARNING_SYMPTOMS_261, S261 + " [NF trong 4038]", False),
        },
    },
    {
        "kind": "warning_signs", "name": "11 dấu hiệu cảnh báo theo 261/QĐ-BYT", "source_document": S261,
        "valid_from": "2022-01-31",
        "values": {
            "rr_adult_min": v(20, S261 + ": người lớn ≥ 20 lần/phút"),
            "rr_1_5_min": v(40, S261 + ": trẻ 1 đến dưới 5 tuổi ≥ 40 lần/phút"),
            "rr_5_12_min": v(30, S261 + ": trẻ 5 đến dưới 12 tuổi ≥ 30 lần/phút"),
            "rr_under_1_min": v(50, "[NF] 261 không nêu ngưỡng cho trẻ dưới 1 tuổi", False),
            "spo2_max": v(96, S261 + ": SpO2 ≤ 96%"),
            "pulse_high_above": v(120, S261 + ": mạch > 120 lần/phút"),
            "pulse_low_below": v(50, S261 + ": mạch < 50 lần/phút"),
            "systolic_below": v(90, S261 + ": huyết áp tối đa < 90 mmHg"),
            "diastolic_below": v(60, S261 + ": huyết áp tối thiểu < 60 mmHg"),
            "symptoms": v(WARNING_SYMPTOMS_261, S261 + ": dấu hiệu 1, 6–11"),
        },
    },
    # --- release (dỡ bỏ cách ly / khỏi bệnh) ------------------------------------------------------------
    {
        "kind": "release", "name": "Khỏi bệnh theo 4038/QĐ-BYT", "source_document": S4038,
        "valid_from": "2021-08-21",
        "values": {
            "min_days": v(10, S4038 + " và các văn bản sửa đổi: 10 ngày + test nhanh âm tính [I]", False),
            "test_required": v("rapid_antigen", S4038),
            "self_test_allowed": v(False, S4038),
            "max_days_positive_vaccinated": v(14, "[NF]", False),
            "max_days_positive_unvaccinated": v(14, "[NF]", False),
        },
    },
    {
        "kind": "release", "name": "Khỏi bệnh theo 11042/BYT-DP", "source_document": S11042,
        "valid_from": "2021-12-29",
        "values": {
            "min_days": v(10, S11042 + ": sau 10 ngày điều trị và test nhanh âm tính"),
            "test_required": v("rapid_antigen", S11042),
            "self_test_allowed": v(False, S11042),
            "max_days_positive_vaccinated": v(14, "[NF]", False),
            "max_days_positive_unvaccinated": v(14, "[NF]", False),
        },
    },
    {
        "kind": "release", "name": "Khỏi bệnh theo 261/QĐ-BYT", "source_document": S261,
        "valid_from": "2022-01-31",
        "values": {
            "min_days": v(7, S261 + ": đủ 7 ngày và test nhanh âm tính do nhân viên y tế thực hiện"),
            "test_required": v("rapid_antigen", S261),
            "self_test_allowed": v(False, S261 + ": test do nhân viên y tế thực hiện"),
            "max_days_positive_vaccinated": v(10, S261 + ": còn dương tính → đến ngày 10 nếu tiêm đủ liều"),
            "max_days_positive_unvaccinated": v(14, S261 + ": còn dương tính → đến ngày 14 nếu chưa tiêm đủ liều"),
        },
    },
    {
        "kind": "release", "name": "Khỏi bệnh theo 762/BYT-DP", "source_document": S762,
        "valid_from": "2022-02-21",
        "values": {
            "min_days": v(7, S762 + ": đủ 7 ngày và test nhanh âm tính"),
            "test_required": v("rapid_antigen", S762),
            "self_test_allowed": v(True, S762 + ": người bệnh tự làm dưới sự giám sát của nhân viên y tế (trực tiếp hoặc từ xa)"),
            "max_days_positive_vaccinated": v(10, S762 + ": đến ngày 10 nếu tiêm đủ liều"),
            "max_days_positive_unvaccinated": v(14, S762 + ": đến ngày 14 nếu chưa tiêm đủ liều"),
        },
    },
    # --- medicine ---------------------------------------------------------------------------------------
    {
        "kind": "medicine", "name": "Thuốc điều trị F0 tại nhà (gói A/B/C) theo 4038/QĐ-BYT", "source_document": S4038,
        "valid_from": "2021-08-21",
        "values": {
            "molnupiravir_min_age": v(18, "Chương trình can thiệp có kiểm soát molnupiravir (gói C): người lớn > 18 tuổi"),
            "molnupiravir_not_pregnant": v(True, "Chương trình can thiệp có kiểm soát molnupiravir"),
            "molnupiravir_not_breastfeeding": v(True, "[I] Chương trình can thiệp có kiểm soát", False),
            "molnupiravir_max_days": v(5, "Gói C: 5 ngày"),
        },
    },
    {
        "kind": "medicine", "name": "Thuốc điều trị F0 tại nhà theo 261/QĐ-BYT", "source_document": S261,
        "valid_from": "2022-01-31",
        "values": {
            "molnupiravir_min_age": v(18, "Cục Quản lý Dược 17/02/2022: không dùng cho người dưới 18 tuổi"),
            "molnupiravir_not_pregnant": v(True, "Cục Quản lý Dược 17/02/2022: không dùng cho phụ nữ có thai"),
            "molnupiravir_not_breastfeeding": v(True, "Cục Quản lý Dược 17/02/2022: không dùng cho phụ nữ cho con bú"),
            "molnupiravir_max_days": v(5, "Cục Quản lý Dược 17/02/2022: không quá 5 ngày liên tục"),
        },
    },
]


def install(Disease=None, RuleSet=None) -> None:
    """Create COVID-19 and the versions above if missing (used by the data migration, tests and the demo)."""
    import datetime as dt

    if Disease is None:
        from .models import Disease, RuleSet
    covid, _ = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19", "icd10": "U07.1"})
    has_default = any(f.name == "is_default" for f in Disease._meta.get_fields())  # not in the frozen 0002 model
    if has_default and not Disease.objects.filter(is_default=True).exists():
        Disease.objects.filter(pk=covid.pk).update(is_default=True)
    for r in RULES:
        RuleSet.objects.get_or_create(
            disease=covid, kind=r["kind"], valid_from=dt.date.fromisoformat(r["valid_from"]),
            defaults={"name": r["name"], "source_document": r["source_document"], "values": r["values"]},
        )
    if has_default:  # the current schema: the rest of the COVID-19 pack (hospital-only era from 23/01/2020, …)
        from .packs import install_missing

        install_missing("covid19", Disease, RuleSet)
