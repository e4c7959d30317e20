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
