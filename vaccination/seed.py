"""Seed data: products, primary-series schedules, dose policies and the "fully vaccinated" rule versions.

Every value comes from /work/shared/domain/rules-research.md §5 with its source. Values marked [NF] or [I] there
are stored with confirmed=False and named in `unconfirmed_fields`, so that the UI flags them and RULE_EDITORS can
correct them. Used by the data migration 0002 (with historical models) and idempotent (get_or_create / update).
"""
import datetime as dt

D = dt.date
S3588 = "3588/QĐ-BYT ngày 26/07/2021 (khoảng cách mũi cơ bản)"
S8688 = "8688/BYT-DP ngày 14/10/2021 (tiêm cho trẻ 12–17 tuổi)"
S_MIX = "24h.com.vn 8/2021; thanhnien 9/2021 (phối hợp AZ – Pfizer/Moderna)"

# code, name, manufacturer, platform, aliases, approved_on, approval_source, cvx, confirmed
PRODUCTS = [
    ("astrazeneca", "AstraZeneca (Vaxzevria)", "AstraZeneca", "vector", ["AZ", "AZD1222", "Vaxzevria", "Covishield"],
     D(2021, 2, 1), "Phê duyệt 1/2/2021 (inboundvietnam.com; vir.com.vn)", "210", True),
    ("sputnik_v", "Sputnik V (Gam-COVID-Vac)", "Gamaleya", "vector", ["Sputnik", "Gam-COVID-Vac"],
     D(2021, 3, 23), "Ngày phê duyệt chưa có trong tài liệu nghiên cứu [NF]", "", False),
    ("sinopharm", "Vero Cell (Sinopharm)", "Sinopharm (BIBP)", "inactivated", ["Vero Cell", "Verocell", "Sinopharm", "SARS-CoV-2 Vaccine (Vero Cell)"],
     D(2021, 6, 3), "Phê duyệt 3/6/2021 (vnexpress.net)", "510", True),
    ("comirnaty", "Comirnaty (Pfizer-BioNTech)", "Pfizer-BioNTech", "mrna", ["Pfizer", "Pfizer-BioNTech", "BNT162b2"],
     D(2021, 6, 12), "Phê duyệt 12/6/2021 (Reuters; 16/6 theo bảng tổng hợp)", "208", True),
    ("comirnaty_paed", "Comirnaty trẻ em 5–11 tuổi (Pfizer)", "Pfizer-BioNTech", "mrna", ["Pfizer trẻ em", "Pfizer 5-11", "Pfizer pediatric"],
     D(2022, 2, 26), "Ngày phê duyệt dạng trẻ em chưa xác minh [NF]", "218", False),
    ("moderna", "Spikevax (Moderna)", "Moderna", "mrna", ["Moderna", "Spikevax", "mRNA-1273"],
     D(2021, 6, 28), "Phê duyệt 28–29/6/2021", "207", True),
    ("janssen", "Janssen (Johnson & Johnson)", "Janssen", "vector", ["J&J", "Johnson & Johnson", "Ad26.COV2.S"],
     D(2021, 7, 15), "Phê duyệt 15/7/2021", "212", True),
    ("hayat_vax", "Hayat-Vax", "Julphar (UAE) / Sinopharm", "inactivated", ["Hayat Vax", "HayatVax"],
     D(2021, 9, 10), "4361/QĐ-BYT ngày 10/9/2021", "", True),
    ("abdala", "Abdala", "CIGB (Cuba)", "protein", ["CIGB-66"],
     D(2021, 9, 17), "4471/QĐ-BYT ngày 17/9/2021", "", True),
    ("covaxin", "Covaxin", "Bharat Biotech", "inactivated", ["BBV152"],
     D(2021, 11, 10), "Phê duyệt 10/11/2021 (baotintuc.vn)", "502", True),
]

# product, valid_from, age_min, age_below, doses, min_days, recommended_days, mixable_with, booster?, source, unconfirmed
SCHEDULES = [
    # AZ: 8–12 weeks; ≥4 weeks allowed in hot spots from 20/9/2021 → below 4 weeks refused, 4–8 weeks a warning.
    ("astrazeneca", D(2021, 2, 1), 18, None, 2, 28, 56, ["comirnaty", "moderna"], True,
     f"{S3588}; rút ngắn ≥4 tuần từ 20/9/2021 (thanhnien.vn …1449049); {S_MIX}", []),
    ("sputnik_v", D(2021, 3, 23), 18, None, 2, 21, None, [], False, S3588, ["valid_from"]),
    ("sinopharm", D(2021, 6, 3), 18, None, 2, 21, 28, [], False, f"{S3588}: 3–4 tuần, cùng loại vắc xin", []),
    ("comirnaty", D(2021, 6, 12), 18, None, 2, 21, None, ["astrazeneca", "moderna"], True, f"{S3588}; {S_MIX}", []),
    ("comirnaty", D(2021, 10, 14), 12, 18, 2, 21, None, [], True, f"{S8688}: 2 mũi cùng loại", []),
    ("comirnaty_paed", D(2022, 2, 26), 5, 12, 2, 21, None, [], False,
     "Trẻ 5–<12: 2 mũi cùng loại, không phối hợp (infographics.vn 63590)", ["valid_from", "min_interval_days"]),
    ("moderna", D(2021, 6, 28), 18, None, 2, 28, None, ["astrazeneca", "comirnaty"], True, f"{S3588}; {S_MIX}", []),
    ("moderna", D(2022, 4, 1), 6, 12, 2, 28, None, [], True,
     "Trẻ 6–<12: Moderna, 2 mũi cùng loại (aschool.edu.vn; moitruong.net.vn)", ["valid_from"]),
    ("janssen", D(2021, 7, 15), 18, None, 1, 0, None, [], True, "1 mũi theo nhà sản xuất; chưa có trong văn bản VN [NF]",
     ["primary_doses"]),
    ("hayat_vax", D(2021, 9, 10), 18, None, 2, 21, None, [], False, "Cùng thành phần Sinopharm; khoảng cách [NF]",
     ["min_interval_days"]),
    # Abdala: its 3rd dose is primary (bantinmoi24h 7/1/2022); interval not found → manufacturer's 14 days, flagged.
    ("abdala", D(2021, 9, 17), 18, None, 3, 14, None, [], False, "Mũi 3 Abdala là mũi cơ bản (bantinmoi24h 7/1/2022); khoảng cách [NF]",
     ["min_interval_days"]),
    ("covaxin", D(2021, 11, 10), 18, None, 2, 28, None, [], False, "Khoảng cách [NF]; 28 ngày theo nhà sản xuất", ["min_interval_days"]),
]

DOSE_POLICIES = [
    {
        "valid_from": D(2021, 11, 1), "valid_to": D(2022, 5, 31),
        "additional_min_days": 28, "booster_min_days": 180, "booster_next_min_days": 120, "booster_age_min": 18,
        "source_document": "Bộ Y tế 11/2021: nhắc lại ≥ 6 tháng, bổ sung ≥ 28 ngày (labweb.vtvgo.vn …850436)",
        "unconfirmed_fields": ["booster_next_min_days", "overdue_after_days"],
        "notes": "Công văn 10722/BYT-DP (17/12/2021) chưa có toàn văn.",
    },
    {
        "valid_from": D(2022, 6, 1), "valid_to": None,
        "additional_min_days": 28, "booster_min_days": 90, "booster_next_min_days": 120, "booster_age_min": 18,
        "source_document": "HCDC dẫn Bộ Y tế 6/2022: mũi 3 ≥ 3 tháng sau mũi cơ bản cuối, mũi 4 ≥ 4 tháng sau mũi 3",
        "unconfirmed_fields": ["valid_from", "overdue_after_days"],
        "notes": "Ngày hiệu lực chính xác chưa xác minh; 12–<18 tuổi: mũi 3 sau 5 tháng (8/2022).",
    },
]


def c(value, source, confirmed=True):
    return {"value": value, "source": source, "confirmed": confirmed}


S10696 = "10696/BYT-MT ngày 16/12/2021"
S762 = "762/BYT-DP ngày 21/02/2022"
FULLY_VACCINATED = [
    {
        "name": "Tiêm đủ liều cơ bản, mũi cuối ≥ 14 ngày và ≤ 6 tháng",
        "source_document": S10696, "valid_from": D(2021, 12, 16), "valid_to": D(2022, 2, 20),
        "values": {
            "basis": c("primary_series", S10696),
            "min_days_since_last": c(14, S10696),
            "max_days_since_last": c(180, S10696 + " (06 tháng)"),
        },
    },
    {
        "name": "Ít nhất 2 mũi, mũi cuối ≥ 14 ngày",
        "source_document": S762, "valid_from": D(2022, 2, 21), "valid_to": None,
        "values": {
            "basis": c("min_doses", S762),
            "min_doses": c(2, S762),
            "min_days_since_last": c(14, S762),
            # Single-dose Janssen counting as full is not stated in Vietnamese texts.
            "primary_series_counts": c(True, "Janssen 1 mũi: chưa có trong văn bản VN [NF]", confirmed=False),
        },
    },
]


def seed(apps) -> None:
    Product = apps.get_model("vaccination", "Product")
    Schedule = apps.get_model("vaccination", "Schedule")
    DosePolicy = apps.get_model("vaccination", "DosePolicy")
    Disease = apps.get_model("diseases", "Disease")
    RuleSet = apps.get_model("diseases", "RuleSet")

    products = {}
    for code, name, manufacturer, platform, aliases, approved_on, source, cvx, confirmed in PRODUCTS:
        products[code], _ = Product.objects.update_or_create(code=code, defaults={
            "name": name, "manufacturer": manufacturer, "platform": platform, "aliases": aliases,
            "approved_on": approved_on, "approval_source": source, "cvx": cvx, "confirmed": confirmed,
        })
    for code, valid_from, age_min, age_below, doses, min_days, rec_days, mix, booster, source, unconfirmed in SCHEDULES:
        Schedule.objects.update_or_create(product=products[code], valid_from=valid_from, age_min=age_min, defaults={
            "age_below": age_below, "primary_doses": doses, "min_interval_days": min_days,
            "recommended_interval_days": rec_days, "mixable_with": mix, "usable_as_booster": booster,
            "source_document": source, "confirmed": not unconfirmed, "unconfirmed_fields": unconfirmed,
        })
    for policy in DOSE_POLICIES:
        DosePolicy.objects.update_or_create(valid_from=policy["valid_from"], defaults={
            **policy, "confirmed": not policy["unconfirmed_fields"],
        })
    disease, _ = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19", "icd10": "U07.1"})
    for version in FULLY_VACCINATED:
        RuleSet.objects.update_or_create(disease=disease, kind="fully_vaccinated", valid_from=version["valid_from"], defaults={
            "name": version["name"], "source_document": version["source_document"], "valid_to": version["valid_to"],
            "values": version["values"],
        })
