"""The figures of the daily situation report.

Each section reads its app through that app's `selectors.py` (docs/architecture.md): the report names no other
app's model or status value. A section whose query fails in the database is reported as unavailable with the
reason, so one failing source never stops the report. The report reads other apps; they never import this one.
"""
from __future__ import annotations

import datetime as dt
import logging
import textwrap

from django.db import DatabaseError, transaction
from django.db.models import Q

from cases import selectors as cases_selectors
from contacts import selectors as contacts_selectors
from directives import selectors as directives_selectors
from levels import selectors as levels_selectors
from supplies import selectors as supplies_selectors
from testing import selectors as testing_selectors
from vaccination import selectors as vaccination_selectors

from .models import OutsideFigures

log = logging.getLogger(__name__)


def province():
    """The installation's province (geo.areas: its structure and code); its pre-2025 history rolls up into it."""
    from geo.areas import installation_province

    return installation_province()


def _in(prov, lookup: str) -> Q:
    """Records on a commune at `lookup` inside the province, on either structure (geo.areas.under_q)."""
    from geo.areas import under_q

    return under_q(prov, lookup)


# --- sections ----------------------------------------------------------------------------------------------
def cases_section(day: dt.date, prov, structure: str | None = None) -> dict | None:
    # The per-commune table on the report's structure (today's by default): records keep their units.
    return cases_selectors.daily_figures(day, prov, structure=structure)


def contacts_section(day: dt.date, prov) -> dict | None:
    # "New F1 today": people traced as F1 that day (identified_on), not rows typed in that day.
    return contacts_selectors.f1_figures(day, prov)


def testing_section(day: dt.date, prov) -> dict | None:
    return testing_selectors.daily_figures(day, prov)


def vaccination_section(day: dt.date, prov) -> dict | None:
    if prov is None:
        return None
    cov = vaccination_selectors.coverage(prov, day)
    # The denominator at the date (aged by cohort) and the registry beside it: the report says which one is used.
    return {"population_year": cov.get("population_year"), "bands": cov["bands"], "groups": cov["groups"],
            "population_aged_years": cov.get("population_aged_years"), "registry_exceeds": cov.get("registry_exceeds", []),
            "denominator_note": cov.get("denominator_note")}


def levels_section(day: dt.date, prov) -> dict | None:
    return levels_selectors.communes_by_decided_level(day, prov)


def tasks_section(day: dt.date, prov) -> dict | None:
    qs = directives_selectors.overdue_assignments(day)
    # The task's text is shortened at a word boundary (the PDF/DOCX cells wrap it), never cut mid-word.
    rows = [{"agency": a.agency.name, "ref": a.task.ref, "text": textwrap.shorten(a.task.text, 240, placeholder=" …"), "deadline": a.task.deadline.isoformat(),
             "directive": (a.task.directive.number or a.task.directive.kind)} for a in qs[:200]]
    return {"overdue": rows, "overdue_count": qs.count()}


def outside_section(day: dt.date, prov, cases: dict | None) -> dict | None:
    fig = OutsideFigures.objects.filter(day__lte=day).order_by("-day").first()
    if fig is None:
        return None
    out = {
        "day": fig.day.isoformat(), "national_cases": fig.national_cases, "national_deaths": fig.national_deaths,
        "world_rank": fig.world_rank, "world_rank_per_million": fig.world_rank_per_million, "countries": fig.countries,
        "source": fig.source,
    }
    out["national_per_million"] = round(fig.national_cases * 1_000_000 / fig.national_population) if fig.national_cases and fig.national_population else None
    out["national_cfr"] = round(100 * fig.national_deaths / fig.national_cases, 2) if fig.national_cases and fig.national_deaths is not None else None
    if cases and fig.province_population:
        out["province_per_million"] = round(cases["cumulative"] * 1_000_000 / fig.province_population)
    if cases and cases["cumulative"]:
        out["province_cfr"] = round(100 * cases["deaths"] / cases["cumulative"], 2)
    return out


def supplies_section(day: dt.date, prov) -> dict | None:
    return supplies_selectors.report_section(day, prov)


def diseases_section(day: dt.date, prov, structure: str | None = None) -> dict | None:
    """Per disease, the leadership dashboard's figures for the day (reports.dashboard): new cases of the day, this
    week against last week with the change, the communes with the steepest rise; by report date, each with the link
    of the case list it counts."""
    if prov is None:
        return None
    from diseases.models import Disease

    from .dashboard import daily_report_figures

    out = [daily_report_figures(disease=d, unit=prov, day=day, structure=structure) for d in Disease.objects.order_by("name")]
    return {"diseases": [d for d in out if d["cumulative"]]}


SECTIONS = [
    ("cases", cases_section), ("contacts", contacts_section), ("testing", testing_section),
    ("vaccination", vaccination_section), ("levels", levels_section), ("tasks", tasks_section),
    ("supplies", supplies_section), ("diseases", diseases_section),
]


# Sections whose per-commune tables follow the report's structure ("Theo địa giới").
BY_STRUCTURE = {"cases", "diseases"}


def build(day: dt.date, cut_at: dt.datetime | None = None, structure: str | None = None) -> dict:
    """The report's figures; per-commune tables on `structure` (default: the installation's, today's map; a
    pre-2025 commune's figures roll up into its default successor — geo.areas.rollup_counts)."""
    from geo.areas import installation_structure

    structure = structure or installation_structure()
    prov = province()
    data = {"day": day.isoformat(), "cut_at": cut_at.isoformat() if cut_at else None, "structure": structure,
            "province": prov.name if prov else "", "sections": {}, "unavailable": {}}
    for name, fn in SECTIONS:
        try:
            with transaction.atomic():  # a failing source must not poison the rest (PostgreSQL)
                section = fn(day, prov, structure) if name in BY_STRUCTURE else fn(day, prov)
        except DatabaseError as exc:
            # A source whose query failed (a timeout, a lock): keep the report, say what is missing. Programming
            # errors (AttributeError, KeyError, TypeError…) are not swallowed: they fail the report and its tests.
            log.warning("situation report: section %s unavailable: %s", name, exc)
            data["unavailable"][name] = str(exc)[:200]
            continue
        if section is not None:
            data["sections"][name] = section
    data["sections"]["outside"] = outside_section(day, prov, data["sections"].get("cases"))
    if data["sections"]["outside"] is None:
        del data["sections"]["outside"]
    return data
