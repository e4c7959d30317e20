"""Default values of the "reporting" rule kind (Circular 54/2015/TT-BYT) for the diseases of the packs.

The disease packs (diseases app) are the source of truth; this copy serves the tests, the demo and the benchmark, and
documents the keys the Circular 54 reports read (reports.circular54):
  group              "A" | "B" | "C": the disease's group under the Law on Prevention and Control of Infectious Diseases
  case_report_hours  a case must be recorded no later than its confirmation day + this many hours in whole days
                     (24 → 1 day, 48 → 2 days)
  weekly_due_days    the weekly summary report is due this many days after the week's Sunday
  monthly_due_days   the monthly summary report is due this many days after the month's last day
Values the research could not confirm against the circular's text are stored confirmed=False.
"""
import datetime as dt

TT54 = "54/2015/TT-BYT ngày 28/12/2015 (chế độ thông tin báo cáo bệnh truyền nhiễm)"
TT54_NF = TT54 + " – chưa xác minh"


def c(value, source, confirmed=True):
    return {"value": value, "source": source, "confirmed": confirmed}


def _values(group: str, group_source: str, group_confirmed: bool = True, hours: int = 24) -> dict:
    return {
        "group": c(group, group_source, group_confirmed),
        "case_report_hours": c(hours, TT54_NF, False),  # "trong vòng 24 giờ" from the diagnosis (group A)
        "weekly_due_days": c(2, TT54_NF, False),
        "monthly_due_days": c(5, TT54_NF, False),
    }


RULES = {
    "covid19": [
        {"valid_from": dt.date(2020, 1, 23), "name": "COVID-19 nhóm A (Thông tư 54)",
         "source_document": "447/QĐ-TTg ngày 01/4/2020 (công bố dịch COVID-19); " + TT54,
         "values": _values("A", "447/QĐ-TTg ngày 01/4/2020")},
        {"valid_from": dt.date(2023, 10, 20), "name": "COVID-19 nhóm B (Thông tư 54)",
         "source_document": "3896/QĐ-BYT ngày 19/10/2023 (chuyển COVID-19 sang nhóm B); " + TT54,
         "values": _values("B", "3896/QĐ-BYT ngày 19/10/2023", hours=48)},
    ],
    "measles": [
        {"valid_from": dt.date(2016, 1, 1), "name": "Sởi nhóm B (Thông tư 54)", "source_document": TT54,
         "values": _values("B", "Luật Phòng, chống bệnh truyền nhiễm 2007, Điều 3")},
    ],
    "dengue": [
        {"valid_from": dt.date(2016, 1, 1), "name": "Sốt xuất huyết Dengue nhóm B (Thông tư 54)", "source_document": TT54,
         "values": _values("B", "Luật Phòng, chống bệnh truyền nhiễm 2007, Điều 3")},
    ],
}
NAMES = {"covid19": ("COVID-19", "U07.1"), "measles": ("Sởi", "B05"), "dengue": ("Sốt xuất huyết Dengue", "A97")}


def install(codes=("covid19", "measles", "dengue")) -> None:
    """Create the diseases (if missing) and their reporting rule versions, idempotently."""
    from diseases.models import Disease, RuleSet

    for code in codes:
        name, icd = NAMES[code]
        disease, _ = Disease.objects.get_or_create(code=code, defaults={"name": name, "icd10": icd})
        for v in RULES[code]:
            RuleSet.objects.get_or_create(disease=disease, kind="reporting", valid_from=v["valid_from"], defaults={
                "name": v["name"], "source_document": v["source_document"], "values": v["values"]})
