"""Reads of the case registry for other apps."""
from django.db.models import Count

from .choices import CareSetting, Status
from .models import Case


def active_home_cases_by_commune(commune_ids) -> dict[int, int]:
    """Active home-care F0 per commune (supplies' need-based allocation): one grouped query."""
    rows = (Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME, commune_id__in=list(commune_ids))
            .values("commune_id").annotate(n=Count("id")).order_by())
    return {r["commune_id"]: r["n"] for r in rows}
