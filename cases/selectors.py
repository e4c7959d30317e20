"""Reads of the case registry for other apps."""
from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce

from .choices import CareSetting, Status
from .models import Case


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
def cases_in(path: str, disease: str | None = None):
    """Cases resident in the unit at `path` (and below), of one disease or all."""
    qs = Case.objects.filter(commune__path__startswith=path)
    if not disease:
        return qs
    # The disease's id as a sub-select (one value): PostgreSQL then uses the (disease, day) indexes' ranges.
    from django.db.models import Subquery

    from diseases.models import Disease

    return qs.filter(disease_id=Subquery(Disease.objects.filter(code=disease).values("id")[:1]))


def counts_by_commune_disease(path: str, start, end) -> dict[tuple[int, str], dict]:
    """{(commune_id, disease_code): {"cases": n confirmed in [start, end], "deaths": n died in [start, end]}}."""
    out: dict[tuple[int, str], dict] = {}
    base = Case.objects.filter(commune__path__startswith=path)
    for r in (base.filter(confirmed_on__gte=start, confirmed_on__lte=end)
              .values("commune_id", "disease__code").annotate(n=Count("id")).order_by()):
        out.setdefault((r["commune_id"], r["disease__code"]), {"cases": 0, "deaths": 0})["cases"] = r["n"]
    for r in (base.filter(died_on__gte=start, died_on__lte=end)
              .values("commune_id", "disease__code").annotate(n=Count("id")).order_by()):
        out.setdefault((r["commune_id"], r["disease__code"]), {"cases": 0, "deaths": 0})["deaths"] = r["n"]
    return out


def report_timeliness_by_commune(path: str, start, end, deadlines: dict[str, int]) -> dict[int, dict]:
    """Case reports confirmed in [start, end] per commune: on time when recorded (created_at, local day) no later
    than the confirmation day + the disease's deadline in days (`deadlines`: disease code → days); diseases without
    a deadline are counted under "unjudged". {commune_id: {"on_time", "late", "unjudged"}}. One grouped query (by
    commune, disease, confirmation day and recording day), compared in Python."""
    import datetime as dt

    from django.db.models.functions import TruncDate

    out: dict[int, dict] = {}
    rows = (Case.objects.filter(commune__path__startswith=path, confirmed_on__gte=start, confirmed_on__lte=end)
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
        qs = qs.filter(commune__path__startswith=unit.path) if unit else qs.none()
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
