"""Circular 54/2015/TT-BYT reporting of notifiable infectious diseases: the weekly and monthly summary reports of a
commune or of the province, generated from the case records, and the timeliness and completeness of the reporting
units (communes).

Figures (docs/reports.md, "Circular 54"):
- "Mắc" (cases) of a disease in a period: cases of that disease resident in the unit whose confirmation date lies in
  the period (the report date; Case.confirmed_on), the same count as the case list filtered on those dates.
- "Chết" (deaths): cases of that disease resident in the unit whose date of death lies in the period.
- "Cộng dồn" (year to date, monthly report): the same counts from 1 January of the period's year to its last day.
- Timeliness of case reports: a case is reported on time when it was recorded in the system (its creation, local
  day) no later than its confirmation day plus the case-report deadline of its disease's group (rule kind
  "reporting", value "case_report_hours" in whole days: 24 hours → 1 day); a disease without a reporting rule in force is "unjudged".
- Completeness of summary reports: every commune of the province must submit (send) its weekly and monthly report;
  it is on time when sent by the period's last day plus "weekly_due_days"/"monthly_due_days" (the strictest
  value among the diseases' reporting rules in force), late when sent after, missing when not sent and the due
  day has passed, pending before.

Deadlines are data (diseases.RuleSet kind "reporting"), never constants here; reports.seed_rules carries the
default values with their source, stored unconfirmed.
"""
from __future__ import annotations

import calendar
import datetime as dt

from diseases.rules import NoRuleInForce, rule_in_force
from geo import areas
from geo.models import Level

WEEKLY, MONTHLY = "weekly", "monthly"
KINDS_VI = {WEEKLY: "tuần", MONTHLY: "tháng"}


def period_bounds(kind: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The period containing `anchor`: an ISO week (Monday–Sunday) or a calendar month."""
    if kind == WEEKLY:
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == MONTHLY:
        start = anchor.replace(day=1)
        return start, anchor.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
    raise ValueError(kind)


def previous_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period before `today` (what a scheduled run reports on)."""
    start, _end = period_bounds(kind, today)
    return period_bounds(kind, start - dt.timedelta(days=1))


def province():
    """The installation's province (geo.areas): on a 2025 installation its history rolls up into today's communes."""
    return areas.installation_province()


def communes_of(unit, structure: str | None = None):
    """The reporting communes of `unit` on `structure` (default: the unit's own). On the other structure ("Theo địa
    giới"): the communes its records roll up into there (geo.areas.communes_on) — a 2025 province's pre-2025 view
    lists the communes of the former provinces it absorbed, for the periods before 01/07/2025."""
    structure = structure or unit.structure
    if structure != unit.structure:
        return list(areas.communes_on(unit, structure).select_related("parent").order_by("parent__name", "name"))
    if unit.level == Level.COMMUNE:
        return [unit]
    return list(areas.units_under(unit, Level.COMMUNE, structure=unit.structure)
                .select_related("parent").order_by("parent__name", "name"))


def _district(commune) -> str:
    """The district column: a pre-2025 commune's district; empty on the 2025 structure (no districts)."""
    return commune.parent.name if commune.parent_id and commune.structure == areas.PRE_2025 else ""


def _rolled_up(by_commune: dict, structure: str) -> dict:
    """Re-key per-commune figures (keys `commune_id` or `(commune_id, …)`) from the commune of each record's time to
    its commune on `structure` (geo.areas.rollup_map: a divided commune counts once), summing what meets."""
    ids = {k[0] if isinstance(k, tuple) else k for k in by_commune}
    to = areas.rollup_map(structure, ids)
    out: dict = {}
    for key, figures in by_commune.items():
        cid = key[0] if isinstance(key, tuple) else key
        new_key = (to.get(cid, cid), *key[1:]) if isinstance(key, tuple) else to.get(cid, cid)
        cell = out.setdefault(new_key, dict.fromkeys(figures, 0))
        for k, v in figures.items():
            cell[k] += v
    return out


# --- Rules ----------------------------------------------------------------------------------------------------
def diseases() -> list:
    from diseases.models import Disease

    return list(Disease.objects.order_by("name"))


def reporting_rules(on: dt.date) -> dict[str, object]:
    """{disease code: RuleSet of kind "reporting" in force on `on`} (diseases without one are left out)."""
    out = {}
    for d in diseases():
        try:
            out[d.code] = rule_in_force(disease=d.code, kind="reporting", on=on)
        except NoRuleInForce:
            continue
    return out


def case_deadlines(on: dt.date) -> dict[str, int]:
    """{disease code: days}: the rule's "case_report_hours" (24 → 1 day, 48 → 2) or "case_report_days"."""
    out = {}
    for code, r in reporting_rules(on).items():
        hours, days = r.value("case_report_hours"), r.value("case_report_days")
        if hours is not None:
            out[code] = -(-int(hours) // 24)
        elif days is not None:
            out[code] = int(days)
    return out


def summary_due(kind: str, end: dt.date) -> tuple[dt.date | None, list]:
    """The day a period's summary report is due, and the rules it came from (strictest wins)."""
    key = "weekly_due_days" if kind == WEEKLY else "monthly_due_days"
    rules = [r for r in reporting_rules(end).values() if r.value(key) is not None]
    if not rules:
        return None, []
    return end + dt.timedelta(days=min(int(r.value(key)) for r in rules)), rules


def _source(rule, key: str) -> str:
    """The source of one value (a pack value carries its own), else the version's document."""
    entry = rule.values.get(key)
    return str(entry.get("source") or rule.source_document) if isinstance(entry, dict) else rule.source_document


# --- Figures --------------------------------------------------------------------------------------------------
def build(kind: str, unit, start: dt.date, end: dt.date, structure: str | None = None) -> dict:
    """The report's data (JSON-able): one row per commune of the unit on `structure` (default: the unit's own), per
    disease cases and deaths of the period (and year to date for the monthly report), with totals. Three grouped
    queries whatever the size."""
    from cases.selectors import counts_by_commune_disease

    structure = structure or unit.structure
    ds = diseases()
    rules = reporting_rules(end)
    period = _rolled_up(counts_by_commune_disease(unit, start, end), structure)
    ytd = (_rolled_up(counts_by_commune_disease(unit, start.replace(month=1, day=1), end), structure)
           if kind == MONTHLY else {})
    rows = []
    totals = {d.code: {"cases": 0, "deaths": 0, "cases_ytd": 0, "deaths_ytd": 0} for d in ds}
    for c in communes_of(unit, structure):
        cells = {}
        for d in ds:
            p = period.get((c.pk, d.code), {"cases": 0, "deaths": 0})
            y = ytd.get((c.pk, d.code), {"cases": 0, "deaths": 0})
            cell = {"cases": p["cases"], "deaths": p["deaths"], "cases_ytd": y["cases"], "deaths_ytd": y["deaths"]}
            cells[d.code] = cell
            for k, v in cell.items():
                totals[d.code][k] += v
        rows.append({"unit_id": c.pk, "district": _district(c), "commune": c.name, "cells": cells})
    return {
        "kind": kind, "unit": unit.name, "unit_id": unit.pk, "start": start.isoformat(), "end": end.isoformat(),
        "structure": structure,
        "diseases": [{"code": d.code, "name": d.name, "icd10": d.icd10,
                      "group": (rules[d.code].value("group") if d.code in rules else "")} for d in ds],
        "rows": rows, "totals": totals,
    }


def timeliness(kind: str, unit, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
               structure: str | None = None) -> dict:
    """Per commune of `unit` on `structure` (default: the unit's own): its summary report's status (on_time / late /
    missing / pending) and its case reports on time or late. Late and missing units first, for the Department of
    Health. A commune's own submission counts for its row: on the pre-2025 view of a 2025 province, the reports the
    pre-2025 communes sent for the periods before 01/07/2025."""
    from django.utils import timezone

    from cases.selectors import report_timeliness_by_commune

    from .models import Circular54Report

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    due, due_rules = summary_due(kind, end)
    structure = structure or unit.structure
    communes = communes_of(unit, structure)
    sent = {}
    for r in (Circular54Report.objects.filter(kind=kind, period_start=start, submitted=True, unit_id__in=[c.pk for c in communes])
              .order_by("created_at").values("unit_id", "created_at")):
        sent.setdefault(r["unit_id"], r["created_at"])  # the first submission counts
    cases = _rolled_up(report_timeliness_by_commune(unit, start, end, case_deadlines(end)), structure)
    rows = []
    for c in communes:
        at = sent.get(c.pk)
        if at is not None:
            status = "on_time" if due is None or timezone.localtime(at).date() <= due else "late"
        else:
            status = "missing" if due is not None and today > due else "pending"
        cr = cases.get(c.pk, {"on_time": 0, "late": 0, "unjudged": 0})
        rows.append({"unit_id": c.pk, "district": _district(c), "commune": c.name,
                     "status": status, "sent_at": at.isoformat() if at else None, **{f"cases_{k}": v for k, v in cr.items()}})
    order = {"missing": 0, "late": 1, "pending": 2, "on_time": 3}
    rows.sort(key=lambda r: (order[r["status"]], -r["cases_late"], r["district"], r["commune"]))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in order}
    expected = len(rows)
    return {
        "kind": kind, "start": start.isoformat(), "end": end.isoformat(), "due": due.isoformat() if due else None,
        "structure": structure,
        "due_sources": sorted({_source(r, "weekly_due_days" if kind == WEEKLY else "monthly_due_days") for r in due_rules}),
        "rows": rows, "counts": counts,
        "completeness": round(100 * (counts["on_time"] + counts["late"]) / expected, 1) if expected else None,
        "timeliness": round(100 * counts["on_time"] / expected, 1) if expected else None,
        "cases_on_time": sum(r["cases_on_time"] for r in rows), "cases_late": sum(r["cases_late"] for r in rows),
    }


# --- Layout ---------------------------------------------------------------------------------------------------
def title(data: dict) -> str:
    start, end = dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"])
    if data["kind"] == WEEKLY:
        week = start.isocalendar()[1]
        return f"Báo cáo tuần {week} (từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}) bệnh truyền nhiễm – {data['unit']}"
    return f"Báo cáo tháng {start:%m/%Y} bệnh truyền nhiễm – {data['unit']}"


def blocks(data: dict) -> list:
    """The summary report as blocks for reports.render: the circular's table (units × diseases, cases "M" and
    deaths "C"; the monthly report adds the year to date)."""
    from .render import Block

    ds = data["diseases"]
    monthly = data["kind"] == MONTHLY
    header = ["TT", "Đơn vị"]
    for d in ds:
        label = f"{d['name']} ({d['icd10']})" if d.get("icd10") else d["name"]
        header += [f"{label} – M", f"{label} – C"]
        if monthly:
            header += [f"{label} – M cộng dồn", f"{label} – C cộng dồn"]

    def cells(c: dict) -> list:
        out = []
        for d in ds:
            v = c[d["code"]]
            out += [v["cases"], v["deaths"]] + ([v["cases_ytd"], v["deaths_ytd"]] if monthly else [])
        return out

    rows = [[i, f"{r['commune']} ({r['district']})" if r["district"] else r["commune"]] + cells(r["cells"])
            for i, r in enumerate(data["rows"], 1)]
    rows.append(["", "Cộng"] + cells(data["totals"]))
    start, end = dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"])
    groups = "; ".join(f"{d['name']}: nhóm {d['group']}" for d in ds if d.get("group"))
    return [
        Block("para", f"Kỳ báo cáo: từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}. M: số mắc; C: số chết."
                      + (f" Phân nhóm bệnh theo Luật Phòng, chống bệnh truyền nhiễm: {groups}." if groups else "")),
        Block("table", title="Số mắc, số chết theo đơn vị", header=header, rows=rows),
    ]


def header_fields(report, setup) -> dict:
    day = report.created_at.date() if getattr(report, "created_at", None) else dt.date.today()
    return {
        "parent": setup.issuer_parent.upper(), "issuer": setup.issuer.upper(),
        "number": "Số:      /BC", "motto1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto2": "Độc lập - Tự do - Hạnh phúc",
        "place_date": f"{setup.place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}",
        "kind": "BÁO CÁO", "subject": title(report.data) + " (Thông tư số 54/2015/TT-BYT)",
        "recipients": ["Cục Phòng bệnh – Bộ Y tế;", "Viện Vệ sinh dịch tễ/Viện Pasteur khu vực;", "Sở Y tế;", "Lưu: VT."],
        "capacity": ["THỦ TRƯỞNG ĐƠN VỊ"], "signer": setup.signer,
    }
