"""Reads of the vaccination app for other apps (scoped through core.scoping)."""
from core.scoping import scope

from .models import Injection


def injections_with_lot(user, *, product_id: int, lot_code: str):
    """Doses of a product recorded with a lot number (supplies' recall trace), in the user's jurisdiction."""
    return (scope(Injection.objects.filter(product_id=product_id, lot__iexact=lot_code), user)
            .select_related("person", "commune").order_by("given_on", "id"))


def active_campaigns(on):
    """Campaigns running on `on` (supplies' need-based allocation)."""
    from .models import Campaign

    return Campaign.objects.filter(starts_on__lte=on, deadline__gte=on).select_related("unit")


def campaign_remaining(campaign, on) -> int:
    """People still to reach for the campaign's target."""
    from .outreach import progress

    return progress(campaign, on).remaining


def campaign_progress(unit, on, *, disease: str | None = None, ended_within_days: int = 90) -> list[dict]:
    """Campaigns (of one disease, when given) of or inside the unit running on `on` or ended within
    `ended_within_days`, with coverage against target and the people still missing (the length of the campaign's
    missing list, which the figure opens)."""
    import datetime as dt

    from django.urls import reverse

    from .models import Campaign
    from .outreach import missing_people, progress

    qs = (Campaign.objects.filter(unit__path__startswith=unit.path, starts_on__lte=on,
                                  deadline__gte=on - dt.timedelta(days=ended_within_days)).select_related("unit")
          .order_by("deadline", "name"))
    if disease:
        qs = qs.filter(disease__code=disease)
    out = []
    for c in qs[:10]:
        p = progress(c, on)
        out.append({"name": c.name, "unit": c.unit.name, "target_pct": float(c.target_pct), "achieved": p.achieved,
                    "target": p.target_count, "pct": p.percentage, "deadline": c.deadline.isoformat(), "late": p.red_flag,
                    "missing": missing_people(c, on).count(),
                    "url": reverse("vaccination:campaign_missing", args=[c.pk]) + f"?ngay={on:%d/%m/%Y}"})
    return out


def doses_against(person, disease, on) -> int:
    """How many doses of a vaccine against `disease` the person had by `on` (routine and catch-up doses)."""
    from .models import RoutineDose

    return RoutineDose.objects.filter(person=person, disease_id=getattr(disease, "pk", disease), given_on__lte=on).count()
