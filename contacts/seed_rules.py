"""The COVID-19 rule versions this app relies on, as data: F1 quarantine ("f1_quarantine") and outbreak closing
("outbreak"). Installed by the data migrations, the tests (after a live-server flush) and the demo.

Sources: /work/shared/domain/rules-research.md §4.2. Values the research states are confirmed=True; values it does
not state (taken over from the previous version) are confirmed=False and flagged in the UI.
Past versions must never change; later versions are added as new RuleSet rows (diseases app).
"""
import datetime as dt


def c(value, source, confirmed=True):
    return {"value": value, "source": source, "confirmed": confirmed}


S5599 = "5599/BYT-MT ngày 14/07/2021"
S10696 = "10696/BYT-MT ngày 16/12/2021"
S762 = "762/BYT-DP ngày 21/02/2022"
S1909 = "1909/BYT-DP ngày 15/04/2022"

VERSIONS = [
    {
        "name": "F1 cách ly 14 ngày, xét nghiệm ngày 1, 7, 14",
        "source_document": S5599,
        "valid_from": dt.date(2021, 7, 14),
        "valid_to": dt.date(2021, 12, 15),
        "values": {
            "vaccination_dependent": c(False, S5599),
            "quarantine_days": c(14, S5599),
            "test_days": c([1, 7, 14], S5599),
            # "sau đó theo dõi sức khỏe 14 ngày tại nhà"
            "monitoring_days": c(14, S5599),
            "generations": c(["F1", "F2"], "3638/QĐ-BYT ngày 30/07/2021"),
        },
        "notes": "Cách ly 21 → 14 ngày, sau đó tự theo dõi sức khỏe 14 ngày tại nhà.",
    },
    {
        "name": "F1 tiêm đủ liều/khỏi bệnh ≤ 6 tháng: 7 ngày; chưa đủ: 14 ngày",
        "source_document": S10696,
        "valid_from": dt.date(2021, 12, 16),
        "valid_to": dt.date(2022, 2, 20),
        "values": {
            "vaccination_dependent": c(True, S10696),
            "protected_quarantine_days": c(7, S10696),
            "protected_test_days": c([1, 7], S10696),
            "protected_monitoring_days": c(7, S10696),
            "min_days_since_last_dose": c(14, S10696),
            "max_months_since_last_dose": c(6, S10696),
            "recovered_within_months": c(6, S10696),
            # Not stated in the research: kept from 5599/BYT-MT.
            "quarantine_days": c(14, S10696 + " (chưa xác minh; giữ theo 5599/BYT-MT)", False),
            "test_days": c([1, 7], S10696 + " (chưa xác minh)", False),
            "monitoring_days": c(14, S10696 + " (chưa xác minh; giữ theo 5599/BYT-MT)", False),
            "generations": c(["F1", "F2"], "3638/QĐ-BYT; F2 bỏ từ 11042/BYT-DP 29/12/2021", False),
        },
        "notes": "Tiêm đủ liều: mũi cuối ≥ 14 ngày và ≤ 6 tháng; hoặc đã khỏi bệnh trong 6 tháng.",
    },
    {
        "name": "F1 ≥ 2 mũi/khỏi bệnh ≤ 3 tháng: 5 ngày; chưa đủ: 7 ngày",
        "source_document": S762,
        "valid_from": dt.date(2022, 2, 21),
        "valid_to": dt.date(2022, 4, 14),
        "values": {
            "vaccination_dependent": c(True, S762),
            "protected_quarantine_days": c(5, S762),
            "protected_test_days": c([5], S762),
            "protected_monitoring_days": c(5, S762),
            "min_days_since_last_dose": c(14, S762),
            "max_months_since_last_dose": c(None, S762),
            "recovered_within_months": c(3, S762),
            "quarantine_days": c(7, S762),
            "test_days": c([7], S762),
            "monitoring_days": c(3, S762),
            "generations": c(["F1"], "11042/BYT-DP ngày 29/12/2021"),
        },
        "notes": "Cách ly tại nhà, nơi lưu trú hoặc địa điểm phù hợp; sau đó tự theo dõi sức khỏe.",
    },
    {
        "name": "F1 không cách ly; thực hiện biện pháp phòng bệnh 10 ngày",
        "source_document": S1909,
        "valid_from": dt.date(2022, 4, 15),
        "valid_to": None,
        "values": {
            "vaccination_dependent": c(False, S1909),
            "quarantine_days": c(0, S1909),
            "test_days": c([], S1909),
            # 10 days of precautions after the last contact: mask, hygiene, limit contact, self-monitor, report.
            "monitoring_days": c(10, S1909),
            "generations": c(["F1"], S1909),
        },
        "notes": "Khoảng cách tiếp xúc gần 1 m (thay cho 2 m).",
    },
]



OUTBREAK_SOURCE = "Hướng dẫn giám sát, phòng chống COVID-19 (BYT/BCĐQG 2021) – chưa xác minh"
# The research does not give the figure; 14 days (one incubation period after the last case) is the commonly
# cited value of the 2021 guidance, stored confirmed=False until verified against the primary text.
OUTBREAK_RULE = {
    "name": "Kết thúc ổ dịch sau 14 ngày không có ca mới",
    "source_document": OUTBREAK_SOURCE,
    "valid_from": dt.date(2021, 1, 1),
    "valid_to": None,
    "values": {"close_after_days_without_case": c(14, OUTBREAK_SOURCE, False)},
    "notes": "",
}


def install(Disease=None, RuleSet=None) -> None:
    if Disease is None:
        from diseases.models import Disease, RuleSet
    disease, _ = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19", "icd10": "U07.1"})
    for kind, versions in (("f1_quarantine", VERSIONS), ("outbreak", [OUTBREAK_RULE])):
        for v in versions:
            RuleSet.objects.get_or_create(
                disease=disease, kind=kind, valid_from=v["valid_from"],
                defaults={k: v[k] for k in ("name", "source_document", "valid_to", "values", "notes")},
            )


# Dengue (sốt xuất huyết Dengue): the values the dengue disease pack carries for the "outbreak" rule kind. The pack
# itself (diseases app, helper `rulebase`) is the source of truth; this copy serves the tests and the docs.
DENGUE_OUTBREAK_SOURCE = "3711/QĐ-BYT ngày 19/9/2014 (Hướng dẫn giám sát và phòng, chống bệnh sốt xuất huyết Dengue) – chưa xác minh"
DENGUE_OUTBREAK_RULE = {
    "name": "Ổ dịch sốt xuất huyết Dengue: phát hiện theo thôn, kết thúc sau 14 ngày không có ca mới",
    "source_document": DENGUE_OUTBREAK_SOURCE,
    "valid_from": dt.date(2014, 9, 19),
    "valid_to": None,
    "values": {
        # An outbreak: 2 or more cases in one village (thôn/tổ dân phố) within 7 days of each other's onset.
        "cluster_min_cases": c(2, DENGUE_OUTBREAK_SOURCE, False),
        "cluster_window_days": c(7, DENGUE_OUTBREAK_SOURCE, False),
        # It ends 14 days after the onset of the last case with no new case.
        "close_after_days_without_case": c(14, DENGUE_OUTBREAK_SOURCE, False),
        "count_from": c("onset", DENGUE_OUTBREAK_SOURCE, False),
    },
    "notes": "Giá trị mặc định của gói bệnh, chưa đối chiếu văn bản gốc.",
}


def install_dengue(Disease=None, RuleSet=None):
    """The dengue disease and its outbreak rule, when the disease pack has not been loaded (tests, demo)."""
    if Disease is None:
        from diseases.models import Disease, RuleSet
    disease, _ = Disease.objects.get_or_create(code="dengue", defaults={"name": "Sốt xuất huyết Dengue", "icd10": "A97"})
    if RuleSet.objects.filter(disease=disease, kind="outbreak").exists():
        return disease  # the disease pack is loaded: its versions apply
    v = DENGUE_OUTBREAK_RULE
    RuleSet.objects.get_or_create(disease=disease, kind="outbreak", valid_from=v["valid_from"],
                                  defaults={k: v[k] for k in ("name", "source_document", "valid_to", "values", "notes")})
    return disease
