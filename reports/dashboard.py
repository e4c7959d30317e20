"""The leadership dashboard (Steering Committee / Department of Health home): per disease, the epidemic curve, the
incidence per 100,000 by commune, this week against last week, cases by age band, vaccination coverage against
target, and the communes with the steepest rise.

Every figure carries the link of the case list it counts (cases.selectors.figure_filter reads the same parameters),
so a figure and its list always agree; `figures` lists them all for the test that walks them. A handful of grouped
queries whatever the number of cases (docs/dashboard.md).

Definitions (the same in docs/dashboard.md):
- a case counts on its onset date (symptom onset, else confirmation) or on its report date (confirmation), as chosen;
- "this week" is the 7 days ending on the chosen day, "last week" the 7 days before; the change is in per cent of last
  week (none when last week had no case);
- incidence per 100,000: cases of the last 28 days ending on the day / population of the commune (geo population
  estimates of the latest year not after the day) × 100,000;
- steepest rise: communes ranked by this week's cases minus last week's (then by this week's), rises only, top 10;
- age band: age at confirmation from the birth year, in the population estimates' bands.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Max, Sum
from django.urls import reverse

CURVE_DAYS = 91
CURVE_WEEKS = 26
INCIDENCE_DAYS = 28
RISE_TOP = 10
# Shown on the page in the reader's language (gettext at build time); the msgids are in reports' catalogue.
BANDS_VI = {"0-4": "0–4 tuổi", "5-11": "5–11 tuổi", "12-17": "12–17 tuổi", "18-49": "18–49 tuổi", "50-64": "50–64 tuổi",
            "65+": "65 tuổi trở lên", "unknown": "Không rõ tuổi"}


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def list_url(disease: str, basis: str, start: dt.date | None = None, end: dt.date | None = None, unit_id=None, band=None) -> str:
    params = {"benh": disease, "theo": basis}
    if start:
        params["tu"] = _d(start)
    if end:
        params["den"] = _d(end)
    if unit_id:
        params["don_vi"] = unit_id
    if band:
        params["tuoi"] = band
    return reverse("cases:list") + "?" + urlencode(params)


def population_by_commune(unit, year: int, structure: str | None = None) -> tuple[dict[int, int], int | None]:
    """{commune id on `structure`: population} of the latest estimate year not after `year`, and that year; the
    estimates of either structure under `unit`, a pre-2025 commune's added into its default successor on 2025."""
    from geo import areas
    from geo.models import PopulationEstimate

    qs = PopulationEstimate.objects.filter(areas.under_q(unit, "unit", counting=True), unit__level="commune", year__lte=year)
    latest = qs.aggregate(y=Max("year"))["y"]
    if latest is None:
        return {}, None
    rows = qs.filter(year=latest).values("unit_id").annotate(p=Sum("population")).order_by()
    return areas.rollup_counts({r["unit_id"]: r["p"] for r in rows}, structure or unit.structure), latest


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def build(*, disease: str, unit, day: dt.date, basis: str = "onset", structure: str | None = None) -> dict:
    """The dashboard of `unit`; its communes (incidence map, steepest rise) on `structure` ("Theo địa giới", default:
    the installation's): records of either structure under the unit, a pre-2025 commune's added into its default
    2025 successor (geo.areas.rollup_counts)."""
    from cases.selectors import counts_by_age_band, counts_by_commune_windows, daily_counts
    from geo import areas

    structure = structure or areas.installation_structure()

    basis = "report" if basis == "report" else "onset"
    figures: list[dict] = []

    def fig(key, label, value, url, **extra):
        f = {"key": key, "label": label, "value": value, "url": url, **extra}
        figures.append(f)
        return f

    # Curve: one query for the whole span (26 weeks ⊇ 91 days).
    first_week = week_start(day) - dt.timedelta(weeks=CURVE_WEEKS - 1)
    start = min(first_week, day - dt.timedelta(days=CURVE_DAYS - 1))
    counts = daily_counts(unit, disease, basis, start, day)
    days = [day - dt.timedelta(days=i) for i in range(CURVE_DAYS - 1, -1, -1)]
    daily = []
    for d in days:
        window = [counts.get(d - dt.timedelta(days=k), 0) for k in range(7)]
        daily.append(fig("daily", _d(d), counts.get(d, 0), list_url(disease, basis, d, d), day=d.isoformat(),
                         avg7=round(sum(window) / 7, 1)))
    weekly = []
    for i in range(CURVE_WEEKS):
        ws = first_week + dt.timedelta(weeks=i)
        we = min(ws + dt.timedelta(days=6), day)
        n = sum(counts.get(ws + dt.timedelta(days=k), 0) for k in range((we - ws).days + 1))
        weekly.append(fig("weekly", f"{_d(ws)}–{_d(we)}", n, list_url(disease, basis, ws, we), start=ws.isoformat()))

    # This week against last week.
    this_start, last_start = day - dt.timedelta(days=6), day - dt.timedelta(days=13)
    last_end = day - dt.timedelta(days=7)
    this_n = sum(counts.get(this_start + dt.timedelta(days=k), 0) for k in range(7))
    last_n = sum(counts.get(last_start + dt.timedelta(days=k), 0) for k in range(7))
    change = round(100 * (this_n - last_n) / last_n, 1) if last_n else None
    week = {
        "this": fig("this_week", "Tuần này", this_n, list_url(disease, basis, this_start, day)),
        "last": fig("last_week", "Tuần trước", last_n, list_url(disease, basis, last_start, last_end)),
        "change": change, "diff": this_n - last_n,
        "this_range": f"{_d(this_start)}–{_d(day)}", "last_range": f"{_d(last_start)}–{_d(last_end)}",
    }

    # Communes: incidence (28 days) and rise (this week vs last).
    communes = {u.pk: u for u in areas.communes_on(unit, structure).select_related("parent")}
    inc_start = day - dt.timedelta(days=INCIDENCE_DAYS - 1)
    windows = areas.rollup_counts(counts_by_commune_windows(unit, disease, basis, {
        "n28": (inc_start, day), "this": (this_start, day), "last": (last_start, last_end)}), structure)
    n28 = {cid: w["n28"] for cid, w in windows.items() if w["n28"]}
    n_this = {cid: w["this"] for cid, w in windows.items() if w["this"]}
    n_last = {cid: w["last"] for cid, w in windows.items() if w["last"]}
    population, pop_year = population_by_commune(unit, day.year, structure)
    incidence = []
    for cid, n in sorted(n28.items(), key=lambda kv: -kv[1]):
        if cid not in communes:
            continue
        pop = population.get(cid)
        incidence.append(fig("incidence", communes[cid].name, n, list_url(disease, basis, inc_start, day, cid),
                             unit_id=cid, population=pop,
                             per100k=round(n * 100_000 / pop, 1) if pop else None))
    rises = []
    for cid in set(n_this) | set(n_last):
        if cid in communes and n_this.get(cid, 0) > n_last.get(cid, 0):
            rises.append((n_this.get(cid, 0) - n_last.get(cid, 0), n_this.get(cid, 0), cid))
    rises.sort(key=lambda r: (-r[0], -r[1], communes[r[2]].name))
    rising = [fig("rising", communes[cid].name, this, list_url(disease, basis, this_start, day, cid), unit_id=cid,
                  district=communes[cid].parent.name if communes[cid].parent_id else "", last=n_last.get(cid, 0), rise=rise)
              for rise, this, cid in rises[:RISE_TOP]]

    # Age bands (last 28 days).
    bands = counts_by_age_band(unit, disease, basis, inc_start, day)
    from django.utils.translation import gettext

    ages = [fig("age", gettext(BANDS_VI[b]), bands.get(b, 0), list_url(disease, basis, inc_start, day, band=b if b != "unknown" else None), band=b)
            for b in ("0-4", "5-11", "12-17", "18-49", "50-64", "65+")]

    return {
        "disease": disease, "unit": unit.name, "unit_id": unit.pk, "day": day.isoformat(), "basis": basis, "structure": structure,
        "daily": daily, "weekly": weekly, "week": week, "incidence": incidence, "population_year": pop_year,
        "rising": rising, "ages": ages, "age_range": f"{_d(inc_start)}–{_d(day)}",
        "coverage": coverage(disease, unit, day), "figures": figures,
    }


def coverage(disease: str, unit, day: dt.date) -> list[dict]:
    """Vaccination campaigns of the disease in the area running on `day` (or ended within 90 days), their coverage
    against target and the people still to reach (the campaign's missing list)."""
    from vaccination.selectors import campaign_progress

    return campaign_progress(unit, day, disease=disease)


def chart_data(data: dict) -> dict:
    """What dashboard.js draws (no URLs needed beyond the figures'), JSON-able."""
    return {
        "daily": {"x": [f["label"][:5] for f in data["daily"]], "y": [f["value"] for f in data["daily"]],
                  "avg": [f["avg7"] for f in data["daily"]], "url": [f["url"] for f in data["daily"]]},
        "weekly": {"x": [f["label"][:5] for f in data["weekly"]], "y": [f["value"] for f in data["weekly"]],
                   "url": [f["url"] for f in data["weekly"]]},
        "ages": {"x": [f["label"] for f in data["ages"]], "y": [f["value"] for f in data["ages"]], "url": [f["url"] for f in data["ages"]]},
    }


def daily_report_figures(*, disease, unit, day: dt.date, structure: str | None = None) -> dict:
    """The daily situation report's section of one disease (by report date): today's new cases, this week against
    last week, year to date, and the steepest rises per commune of `structure` (default: the installation's; a
    pre-2025 commune's cases add into its default 2025 successor); a handful of grouped queries."""
    from cases.selectors import cases_in, counts_by_commune, daily_counts
    from geo import areas

    structure = structure or areas.installation_structure()

    code, basis = disease.code, "report"
    counts = daily_counts(unit, code, basis, day - dt.timedelta(days=13), day)
    this_start, last_start, last_end = day - dt.timedelta(days=6), day - dt.timedelta(days=13), day - dt.timedelta(days=7)
    this_n = sum(n for d, n in counts.items() if d >= this_start)
    last_n = sum(n for d, n in counts.items() if d <= last_end)
    year_start = day.replace(month=1, day=1)
    cumulative = cases_in(unit, code).filter(confirmed_on__gte=year_start, confirmed_on__lte=day).count()
    n_this = areas.rollup_counts(counts_by_commune(unit, code, basis, this_start, day), structure)
    n_last = areas.rollup_counts(counts_by_commune(unit, code, basis, last_start, last_end), structure)
    rises = sorted(((n - n_last.get(cid, 0), n, cid) for cid, n in n_this.items() if n > n_last.get(cid, 0)), key=lambda r: (-r[0], -r[1]))[:5]
    names = areas.unit_names(r[2] for r in rises)
    return {
        "code": code, "name": disease.name, "structure": structure,
        "today": {"value": counts.get(day, 0), "url": list_url(code, basis, day, day)},
        "this_week": {"value": this_n, "url": list_url(code, basis, this_start, day)},
        "last_week": {"value": last_n, "url": list_url(code, basis, last_start, last_end)},
        "change": round(100 * (this_n - last_n) / last_n, 1) if last_n else None,
        "cumulative": cumulative, "cumulative_url": list_url(code, basis, year_start, day),
        "rising": [{"unit": names.get(cid, ""), "value": n, "last": n - rise, "rise": rise,
                    "url": list_url(code, basis, this_start, day, cid)} for rise, n, cid in rises],
    }
