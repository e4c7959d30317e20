"""The figures of the daily situation report, read from whichever capabilities exist.

Each section asks for its models with `apps.get_model` and is left out (not an error) when that app or model
is not installed yet; a section whose source fails for another reason is reported as unavailable with the reason,
so one broken source never stops the report. The report reads other apps; they never import this one.
"""
from __future__ import annotations

import datetime as dt
import logging
import textwrap
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import DatabaseError, transaction
from django.db.models import Count, Q

log = logging.getLogger(__name__)


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def province():
    from geo.models import AdministrativeUnit

    code = settings.PHONGDICH_PROVINCE_CODE
    return AdministrativeUnit.objects.filter(structure="pre2025", level="province", code=code).first()


# --- sections ----------------------------------------------------------------------------------------------
def cases_section(day: dt.date, prov) -> dict | None:
    Case = _model("cases.Case")
    if Case is None:
        return None
    qs = Case.objects.all()
    if prov is not None:
        qs = qs.filter(commune__path__startswith=prov.path)
    new = qs.filter(confirmed_on=day)
    by_commune = defaultdict(lambda: {"community": 0, "quarantine": 0, "facility": 0, "total": 0})
    names = {}
    for r in new.values("commune_id", "commune__name", "commune__parent__name", "detected_in").annotate(n=Count("id")):
        row = by_commune[r["commune_id"]]
        key = r["detected_in"] if r["detected_in"] in row else "community"
        row[key] += r["n"]
        row["total"] += r["n"]
        names[r["commune_id"]] = (r["commune__parent__name"] or "", r["commune__name"])
    communes = sorted(({"district": names[k][0], "commune": names[k][1], **v} for k, v in by_commune.items()),
                      key=lambda r: (r["district"], r["commune"]))
    totals = qs.filter(confirmed_on__lte=day).aggregate(
        cumulative=Count("id"),
        deaths=Count("id", filter=Q(died_on__isnull=False, died_on__lte=day)),
        deaths_today=Count("id", filter=Q(died_on=day)),
        recovered=Count("id", filter=Q(released_on__isnull=False, released_on__lte=day)),
        recovered_today=Count("id", filter=Q(released_on=day)),
        active_home=Count("id", filter=Q(status="active", care_setting="home")),
        active_centralised=Count("id", filter=Q(status="active", care_setting="centralised")),
        # A transfer hands the case to the hospital (status "transferred"): still under care there.
        active_hospital=Count("id", filter=Q(status__in=["active", "transferred"], care_setting="hospital")),
    )
    new_totals = {k: sum(c[k] for c in communes) for k in ("community", "quarantine", "facility", "total")}
    return {"new": new_totals, "communes": communes, **totals}


def contacts_section(day: dt.date, prov) -> dict | None:
    Contact = _model("contacts.Contact")
    if Contact is None:
        return None
    qs = Contact.objects.filter(generation="F1", first_exposure_on__lte=day, quarantine_end__gte=day).exclude(status="converted")
    if prov is not None:
        qs = qs.filter(person__commune__path__startswith=prov.path)
    # "New F1 today": people traced as F1 that day (identified_on), not rows typed in that day.
    new = Contact.objects.filter(generation="F1", identified_on=day)
    if prov is not None:
        new = new.filter(person__commune__path__startswith=prov.path)
    return {"f1_in_quarantine": qs.count(), "f1_new": new.count()}


def testing_section(day: dt.date, prov) -> dict | None:
    Test = _model("testing.Test")
    if Test is None:
        return None
    qs = Test.objects.all()
    if prov is not None:
        qs = qs.filter(person__commune__path__startswith=prov.path)
    agg = qs.aggregate(
        today=Count("id", filter=Q(taken_on=day)),
        positive_today=Count("id", filter=Q(reported_on=day, result="positive")),
        cumulative=Count("id", filter=Q(taken_on__lte=day)),
    )
    by_kind = {r["kind"]: r["n"] for r in qs.filter(taken_on=day).values("kind").annotate(n=Count("id"))}
    return {**agg, "by_kind": by_kind}


def vaccination_section(day: dt.date, prov) -> dict | None:
    if _model("vaccination.Injection") is None or prov is None:
        return None
    from vaccination import services as vs  # read-only helper of the vaccination app

    cov = vs.coverage(prov, day)
    return {"population_year": cov.get("population_year"), "bands": cov["bands"], "groups": cov["groups"]}


def levels_section(day: dt.date, prov) -> dict | None:
    Decision = _model("levels.LevelDecision")
    if Decision is None:
        return None
    qs = Decision.objects.filter(status__in=["decided", "published"], week_start__lte=day)
    if prov is not None:
        qs = qs.filter(unit__path__startswith=prov.path)
    latest = {}
    for d in qs.order_by("unit_id", "week_start", "id").values("unit_id", "unit__name", "unit__level", "decided_level", "week_start"):
        latest[d["unit_id"]] = d
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    high = []
    for d in latest.values():
        if d["unit__level"] != "commune" or not d["decided_level"]:
            continue
        counts[d["decided_level"]] = counts.get(d["decided_level"], 0) + 1
        if d["decided_level"] >= 3:
            high.append({"unit": d["unit__name"], "level": d["decided_level"]})
    return {"communes_by_level": {str(k): v for k, v in counts.items()}, "high": sorted(high, key=lambda x: (-x["level"], x["unit"]))}


def tasks_section(day: dt.date, prov) -> dict | None:
    Assignment = _model("directives.Assignment")
    if Assignment is None:
        return None
    qs = Assignment.objects.filter(status__in=["open", "in_progress"], task__deadline__lt=day,
                                   task__directive__status="confirmed").select_related("agency", "task", "task__directive")
    # The task's text is shortened at a word boundary (the PDF/DOCX cells wrap it), never cut mid-word.
    rows = [{"agency": a.agency.name, "ref": a.task.ref, "text": textwrap.shorten(a.task.text, 240, placeholder=" …"), "deadline": a.task.deadline.isoformat(),
             "directive": (a.task.directive.number or a.task.directive.kind)} for a in qs.order_by("task__deadline", "agency__name")[:200]]
    return {"overdue": rows, "overdue_count": qs.count()}


def outside_section(day: dt.date, prov, cases: dict | None) -> dict | None:
    OutsideFigures = _model("reports.OutsideFigures")
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
    if _model("supplies.Balance") is None:
        return None
    from supplies.selectors import report_section  # read-only helper of the supplies app

    return report_section(day, prov)


def diseases_section(day: dt.date, prov) -> dict | None:
    """Per disease, the leadership dashboard's figures for the day (reports.dashboard): new cases of the day, this
    week against last week with the change, the communes with the steepest rise; by report date, each with the link
    of the case list it counts."""
    if prov is None:
        return None
    from diseases.models import Disease

    from .dashboard import daily_report_figures

    out = [daily_report_figures(disease=d, unit=prov, day=day) for d in Disease.objects.order_by("name")]
    return {"diseases": [d for d in out if d["cumulative"]]}


SECTIONS = [
    ("cases", cases_section), ("contacts", contacts_section), ("testing", testing_section),
    ("vaccination", vaccination_section), ("levels", levels_section), ("tasks", tasks_section),
    ("supplies", supplies_section), ("diseases", diseases_section),
]


def build(day: dt.date, cut_at: dt.datetime | None = None) -> dict:
    prov = province()
    data = {"day": day.isoformat(), "cut_at": cut_at.isoformat() if cut_at else None,
            "province": prov.name if prov else "", "sections": {}, "unavailable": {}}
    for name, fn in SECTIONS:
        try:
            with transaction.atomic():  # a failing source must not poison the rest (PostgreSQL)
                section = fn(day, prov)
        except (DatabaseError, FieldError, AttributeError, KeyError, TypeError) as exc:
            # A source whose schema changed or failed: keep the report, say what is missing.
            log.warning("situation report: section %s unavailable: %s", name, exc)
            data["unavailable"][name] = str(exc)[:200]
            continue
        if section is not None:
            data["sections"][name] = section
    data["sections"]["outside"] = outside_section(day, prov, data["sections"].get("cases"))
    if data["sections"]["outside"] is None:
        del data["sections"]["outside"]
    return data
