"""Reads of the case registry for other apps (docs/architecture.md, "Selectors"): plain functions returning values
or querysets. Other apps never filter cases on raw status strings: the meanings live here."""
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from .choices import CareSetting, DetectedIn, Status
from .models import Admission, Case


def active_home_cases_by_commune(commune_ids) -> dict[int, int]:
    """Active home-care F0 per commune (supplies' need-based allocation): one grouped query."""
    rows = (Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME, commune_id__in=list(commune_ids))
            .values("commune_id").annotate(n=Count("id")).order_by())
    return {r["commune_id"]: r["n"] for r in rows}


def criteria_counts_by_commune(commune_ids, start: dt.date, end: dt.date) -> dict[str, dict[int, int]]:
    """Per commune, within [start, end] (levels' criterion 1): "community" — community cases confirmed (detected in
    the community); "oxygen" — cases confirmed on oxygen; "deaths" — deaths. `commune_ids` may be a subquery.
    Three grouped queries."""
    base = Case.objects.filter(commune_id__in=commune_ids)
    queries = {
        "community": base.filter(detected_in=DetectedIn.COMMUNITY, confirmed_on__range=(start, end)),
        "oxygen": base.filter(on_oxygen=True, confirmed_on__range=(start, end)),
        "deaths": base.filter(died_on__range=(start, end)),
    }
    return {key: {r["commune_id"]: r["n"] for r in qs.values("commune_id").annotate(n=Count("id")).order_by()}
            for key, qs in queries.items()}


def open_admissions_by_facility_place(path_prefixes, at: dt.datetime) -> list[dict]:
    """Admissions open at `at` in facilities under any of `path_prefixes`, grouped: rows of
    {"facility__unit__path", "bed_type", "n"} (levels' free beds). One query."""
    under = Q()
    for prefix in path_prefixes:
        under |= Q(facility__unit__path__startswith=prefix)
    return list(Admission.objects.filter(under, admitted_at__lt=at)
                .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=at))
                .values("facility__unit__path", "bed_type").annotate(n=Count("id")).order_by())


def daily_figures(day: dt.date, path_prefix: str | None) -> dict:
    """The daily report's case figures for `day` (residents of communes under `path_prefix`; all when None):
    "new" (confirmed that day, by where detected), "communes" (the same per commune, sorted by district and commune),
    cumulative totals up to the day, deaths and recoveries (cumulative and that day), and cases under care now by
    care setting (a transferred case is under the hospital's care)."""
    qs = Case.objects.all()
    if path_prefix is not None:
        qs = qs.filter(commune__path__startswith=path_prefix)
    kinds = (DetectedIn.COMMUNITY, DetectedIn.QUARANTINE, DetectedIn.FACILITY)
    by_commune = defaultdict(lambda: {**{k.value: 0 for k in kinds}, "total": 0})
    names = {}
    for r in (qs.filter(confirmed_on=day).values("commune_id", "commune__name", "commune__parent__name", "detected_in")
              .annotate(n=Count("id")).order_by()):
        row = by_commune[r["commune_id"]]
        key = r["detected_in"] if r["detected_in"] in row else DetectedIn.COMMUNITY.value
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
        active_home=Count("id", filter=Q(status=Status.ACTIVE, care_setting=CareSetting.HOME)),
        active_centralised=Count("id", filter=Q(status=Status.ACTIVE, care_setting=CareSetting.CENTRALISED)),
        # A transfer hands the case to the hospital (status "transferred"): still under care there.
        active_hospital=Count("id", filter=Q(status__in=[Status.ACTIVE, Status.TRANSFERRED], care_setting=CareSetting.HOSPITAL)),
    )
    new_totals = {k: sum(c[k] for c in communes) for k in (*(k.value for k in kinds), "total")}
    return {"new": new_totals, "communes": communes, **totals}
# --- the field app's worklist (fieldapp.sync) ------------------------------------------------------------------------
def field_patients(user, *, since=None, team_ids=None):
    """Active home-care cases the user may see (core.scoping), of his teams when he belongs to any; with `since`,
    only those changed after it (the case, its person, a check recorded or an alert raised or acknowledged)."""
    from django.db.models import Exists, OuterRef, Q

    from core.scoping import scope

    from .models import Alert, Check

    qs = scope(Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME), user)
    if team_ids:
        qs = qs.filter(team_id__in=list(team_ids))
    if since is not None:
        qs = qs.filter(
            Q(updated_at__gt=since) | Q(person__updated_at__gt=since)
            | Exists(Check.objects.filter(case=OuterRef("pk"), recorded_at__gt=since))
            | Exists(Alert.objects.filter(case=OuterRef("pk")).filter(Q(raised_at__gt=since) | Q(acknowledged_at__gt=since)))
        )
    return qs


def field_patient_rows(case_ids, *, checks_per_case: int = 3) -> dict:
    """The worklist fields of these cases, their last checks and open alerts: three queries, never one per case."""
    from .models import Alert, Check

    rows = {}
    for c in (Case.objects.filter(pk__in=list(case_ids)).order_by("pk")
              .values("pk", "version", "confirmed_on", "severity", "symptom_onset", "release_due_on", "last_check_at",
                      "team_id", "person_id", "person__version", "person__full_name", "person__birth_year",
                      "person__date_of_birth", "person__sex", "person__phone", "person__street",
                      "person__village__name", "person__commune__name")):
        rows[c["pk"]] = {
            "id": c["pk"], "version": c["version"], "confirmed_on": c["confirmed_on"], "severity": c["severity"],
            "symptom_onset": c["symptom_onset"], "release_due_on": c["release_due_on"], "last_check_at": c["last_check_at"],
            "person": {"id": c["person_id"], "version": c["person__version"], "full_name": c["person__full_name"],
                       "birth_year": c["person__birth_year"], "date_of_birth": c["person__date_of_birth"],
                       "sex": c["person__sex"], "phone": c["person__phone"], "street": c["person__street"],
                       "village": c["person__village__name"] or "", "commune": c["person__commune__name"]},
            "checks": [], "alerts": [],
        }
    if not rows:
        return rows
    # The last few checks of each case: a window function where the database has one (both SQLite and PostgreSQL).
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (Check.objects.filter(case_id__in=list(rows))
              .annotate(n=Window(RowNumber(), partition_by=[F("case_id")], order_by=[F("taken_at").desc(), F("id").desc()]))
              .values("id", "case_id", "taken_at", "spo2", "respiratory_rate", "pulse", "temperature", "systolic",
                      "diastolic", "symptoms", "warning_signs", "n"))
    for ch in ranked:
        if ch["n"] <= checks_per_case:
            ch.pop("n")
            rows[ch["case_id"]]["checks"].append(ch)
    for a in (Alert.objects.filter(case_id__in=list(rows), acknowledged_at__isnull=True)
              .values("id", "case_id", "raised_at", "message", "source")):
        rows[a["case_id"]]["alerts"].append(a)
    return rows
