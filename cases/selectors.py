"""Reads of the case registry for other apps (docs/architecture.md, "Selectors"): plain functions returning values
or querysets. Other apps never filter cases on raw status strings: the meanings live here."""
import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from geo import areas

from .choices import CareSetting, DetectedIn, Status
from .models import Admission, Case


def active_home_cases_by_commune(commune_ids) -> dict[int, int]:
    """Active home-care F0 per commune (supplies' need-based allocation): one grouped query."""
    rows = (Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME, commune_id__in=list(commune_ids))
            .values("commune_id").annotate(n=Count("id")).order_by())
    return {r["commune_id"]: r["n"] for r in rows}


def case_day(basis: str = "onset"):
    """The date a case counts on: its symptom onset (the confirmation date when onset is unknown), or its
    confirmation ("report") date."""
    return Coalesce("symptom_onset", "confirmed_on") if basis == "onset" else F("confirmed_on")


def village_cases(*, disease: str, start, end, min_cases: int) -> list[dict]:
    """Villages with at least `min_cases` cases of the disease counted (by onset) between start and end inclusive:
    [{"village_id", "commune_id", "cases": [(day, case_id), …] by day}], one grouped query plus one for the members."""
    base = (Case.objects.filter(disease__code=disease, person__village__isnull=False)
            .annotate(day=case_day("onset")).filter(day__gte=start, day__lte=end))
    villages = [r["person__village_id"] for r in base.values("person__village_id").annotate(n=Count("id")).order_by()
                if r["n"] >= min_cases]
    if not villages:
        return []
    out: dict[int, dict] = {}
    for pk, day, village_id, commune_id in base.filter(person__village_id__in=villages).values_list(
            "pk", "day", "person__village_id", "person__village__commune_id").order_by("day", "pk"):
        out.setdefault(village_id, {"village_id": village_id, "commune_id": commune_id, "cases": []})["cases"].append((day, pk))
    return [out[v] for v in sorted(out)]


def cases_by_ids(ids):
    return Case.objects.filter(pk__in=list(ids))


def last_case_day(case_qs, basis: str = "onset"):
    return case_qs.annotate(day=case_day(basis)).aggregate(m=Max("day"))["m"]


# --- Figures for reports and the leadership dashboard (set-based: one grouped query each) ---------------------
def cases_in(path, disease: str | None = None):
    """Cases resident in the unit at `path` (and below), of one disease or all. `path` may also be a unit or a
    region: then the cases on the communes of either structure under it, each counted once (geo.areas.under_q)."""
    if isinstance(path, str):
        qs = Case.objects.filter(commune__path__startswith=path)
    else:
        qs = Case.objects.filter(areas.under_q(path, "commune", counting=True))
    if not disease:
        return qs
    # The disease's id as a sub-select (one value): PostgreSQL then uses the (disease, day) indexes' ranges.
    from django.db.models import Subquery

    from diseases.models import Disease

    return qs.filter(disease_id=Subquery(Disease.objects.filter(code=disease).values("id")[:1]))


def counts_by_commune_disease(area, start, end) -> dict[tuple[int, str], dict]:
    """{(commune_id, disease_code): {"cases": n confirmed in [start, end], "deaths": n died in [start, end]}}."""
    out: dict[tuple[int, str], dict] = {}
    base = Case.objects.filter(areas.under_q(area, "commune", counting=True))  # records on the units of their time
    for r in (base.filter(confirmed_on__gte=start, confirmed_on__lte=end)
              .values("commune_id", "disease__code").annotate(n=Count("id")).order_by()):
        out.setdefault((r["commune_id"], r["disease__code"]), {"cases": 0, "deaths": 0})["cases"] = r["n"]
    for r in (base.filter(died_on__gte=start, died_on__lte=end)
              .values("commune_id", "disease__code").annotate(n=Count("id")).order_by()):
        out.setdefault((r["commune_id"], r["disease__code"]), {"cases": 0, "deaths": 0})["deaths"] = r["n"]
    return out


def report_timeliness_by_commune(area, start, end, deadlines: dict[str, int]) -> dict[int, dict]:
    """Case reports confirmed in [start, end] per commune: on time when recorded (created_at, local day) no later
    than the confirmation day + the disease's deadline in days (`deadlines`: disease code → days); diseases without
    a deadline are counted under "unjudged". {commune_id: {"on_time", "late", "unjudged"}}. One grouped query (by
    commune, disease, confirmation day and recording day), compared in Python."""
    import datetime as dt

    from django.db.models.functions import TruncDate

    out: dict[int, dict] = {}
    rows = (Case.objects.filter(areas.under_q(area, "commune", counting=True), confirmed_on__gte=start, confirmed_on__lte=end)
            .annotate(recorded_on=TruncDate("created_at"))
            .values("commune_id", "disease__code", "confirmed_on", "recorded_on").annotate(n=Count("id")).order_by())
    for r in rows:
        cell = out.setdefault(r["commune_id"], {"on_time": 0, "late": 0, "unjudged": 0})
        days = deadlines.get(r["disease__code"])
        if days is None:
            cell["unjudged"] += r["n"]
        elif r["recorded_on"] <= r["confirmed_on"] + dt.timedelta(days=days):
            cell["on_time"] += r["n"]
        else:
            cell["late"] += r["n"]
    return out


AGE_BANDS = ("0-4", "5-11", "12-17", "18-49", "50-64", "65+")  # geo.AgeBand: the population estimates' bands


def _age_expr():
    """Age in years at confirmation, from the birth year (the registry's most complete field)."""
    from django.db.models.functions import ExtractYear

    return ExtractYear("confirmed_on") - F("person__birth_year")


def with_day(qs, basis: str = "onset"):
    return qs.annotate(day=case_day(basis))


def figure_filter(qs, params):
    """The filters a dashboard or report figure puts in its link, applied to a case queryset (the case list uses
    this, so a figure and its list count the same rows): benh (disease code), theo (onset|report), tu/den
    (dd/mm/yyyy, on that basis), don_vi (unit id: that unit and below), tuoi (age band, e.g. "5-11")."""
    from core.parsing import ParseError, parse_date
    from geo.models import AGE_BAND_BOUNDS, AdministrativeUnit

    if params.get("benh"):
        qs = qs.filter(disease__code=params["benh"])
    basis = "report" if params.get("theo") == "report" else "onset"
    if params.get("tu") or params.get("den"):
        qs = with_day(qs, basis)
        try:
            if params.get("tu"):
                qs = qs.filter(day__gte=parse_date(params["tu"]))
            if params.get("den"):
                qs = qs.filter(day__lte=parse_date(params["den"]))
        except ParseError:
            return qs.none()
    if params.get("don_vi"):
        unit = AdministrativeUnit.objects.filter(pk=params["don_vi"]).only("path").first() if str(params["don_vi"]).isdigit() else None
        if unit is None:
            return qs.none()
        # A 2025 commune's list also holds the pre-2025 communes that roll up into it (as its figure counts them).
        qs = qs.filter(areas.under_q(unit, "commune", counting=True))
    if params.get("tuoi"):
        bounds = AGE_BAND_BOUNDS.get(params["tuoi"])
        if bounds is None:
            return qs.none()
        qs = qs.annotate(age=_age_expr()).filter(age__gte=bounds[0], age__lte=bounds[1])
    return qs


def daily_counts(path: str, disease: str, basis: str, start, end) -> dict:
    """{day: cases} of the disease in the unit, by onset or report date, one grouped query."""
    qs = with_day(cases_in(path, disease), basis).filter(day__gte=start, day__lte=end)
    return {r["day"]: r["n"] for r in qs.values("day").annotate(n=Count("id")).order_by()}


def counts_by_commune(path: str, disease: str, basis: str, start, end) -> dict[int, int]:
    qs = with_day(cases_in(path, disease), basis).filter(day__gte=start, day__lte=end)
    return {r["commune_id"]: r["n"] for r in qs.values("commune_id").annotate(n=Count("id")).order_by()}


def counts_by_commune_windows(path: str, disease: str, basis: str, windows: dict) -> dict[int, dict[str, int]]:
    """{commune id: {window name: cases}} for several date windows ({name: (start, end)}) in one grouped query."""
    from django.db.models import Q

    start = min(s for s, _e in windows.values())
    end = max(e for _s, e in windows.values())
    qs = with_day(cases_in(path, disease), basis).filter(day__gte=start, day__lte=end)
    counts = {name: Count("id", filter=Q(day__gte=s, day__lte=e)) for name, (s, e) in windows.items()}
    return {r.pop("commune_id"): r for r in qs.values("commune_id").annotate(**counts).order_by()}


def counts_by_age_band(path: str, disease: str, basis: str, start, end) -> dict[str, int]:
    """{band: cases}; cases without a birth year under "unknown"."""
    from django.db.models import Case as Switch
    from django.db.models import CharField, Value, When

    from geo.models import AGE_BAND_BOUNDS

    age = _age_expr()
    band = Switch(*[When(age__gte=lo, age__lte=hi, then=Value(b)) for b, (lo, hi) in AGE_BAND_BOUNDS.items()],
                  default=Value("unknown"), output_field=CharField())
    qs = with_day(cases_in(path, disease), basis).filter(day__gte=start, day__lte=end).annotate(age=age, band=band)
    return {r["band"]: r["n"] for r in qs.values("band").annotate(n=Count("id")).order_by()}


def criteria_counts_by_commune(commune_ids, start: dt.date, end: dt.date) -> dict[str, dict[int, int]]:
    """Per commune, within [start, end] (levels' criterion 1): "community" — community cases confirmed (detected in
    the community); "oxygen" — cases confirmed on oxygen; "deaths" — deaths. `commune_ids` may be a subquery.
    One grouped query (a commune without any of them is absent)."""
    confirmed = Q(confirmed_on__range=(start, end))
    died = Q(died_on__range=(start, end))
    rows = (Case.objects.filter(commune_id__in=commune_ids).filter(confirmed | died).values("commune_id")
            .annotate(community=Count("id", filter=confirmed & Q(detected_in=DetectedIn.COMMUNITY)),
                      oxygen=Count("id", filter=confirmed & Q(on_oxygen=True)), deaths=Count("id", filter=died))
            .order_by())
    out: dict[str, dict[int, int]] = {"community": {}, "oxygen": {}, "deaths": {}}
    for r in rows:
        for key, counts in out.items():
            if r[key]:
                counts[r["commune_id"]] = r[key]
    return out


def open_admissions_by_facility_place(path_prefixes, at: dt.datetime) -> list[dict]:
    """Admissions open at `at` in facilities under any of `path_prefixes`, grouped: rows of
    {"facility__unit__path", "bed_type", "n"} (levels' free beds). One query."""
    under = Q()
    for prefix in path_prefixes:
        under |= Q(facility__unit__path__startswith=prefix)
    return list(Admission.objects.filter(under, admitted_at__lt=at)
                .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=at))
                .values("facility__unit__path", "bed_type").annotate(n=Count("id")).order_by())


def daily_figures(day: dt.date, area, structure: str | None = None) -> dict:
    """The daily report's case figures for `day` (residents of communes in `area`, a unit or health region on either
    structure — geo.areas.under_q; all when None):
    "new" (confirmed that day, by where detected), "communes" (the same per commune, sorted by district and commune),
    cumulative totals up to the day, deaths and recoveries (cumulative and that day), and cases under care now by
    care setting (a transferred case is under the hospital's care)."""
    qs = Case.objects.all()
    if area is not None:
        qs = qs.filter(areas.under_q(area, "commune"))
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
    if structure is not None:
        # "Theo địa giới": the communes of `structure` (a pre-2025 commune's cases add into its default successor).
        by_commune = areas.rollup_counts(dict(by_commune), structure)
        names = _commune_labels(by_commune.keys())
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


def _commune_labels(ids) -> dict[int, tuple[str, str]]:
    """{commune id: (district name or "" on the 2025 structure, commune name)} in one query."""
    from geo.models import AdministrativeUnit, Level

    rows = AdministrativeUnit.objects.filter(pk__in=list(ids)).values_list("pk", "name", "parent__name", "parent__level")
    return {pk: (parent if level == Level.DISTRICT else "", name) for pk, name, parent, level in rows}


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
                      "team_id", "disease__code", "person_id", "person__version", "person__full_name", "person__birth_year",
                      "person__date_of_birth", "person__sex", "person__phone", "person__street",
                      "person__village__name", "person__commune__name")):
        rows[c["pk"]] = {
            "id": c["pk"], "version": c["version"], "confirmed_on": c["confirmed_on"], "severity": c["severity"],
            "symptom_onset": c["symptom_onset"], "release_due_on": c["release_due_on"], "last_check_at": c["last_check_at"],
            "disease": c["disease__code"],  # the phone judges the check by this disease's warning-sign rule
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
