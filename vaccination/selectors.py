"""Reads of the vaccination app for other apps (scoped through core.scoping; docs/architecture.md, "Selectors")."""
import datetime as dt

from core.scoping import scope

from . import services
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


def is_fully_vaccinated(person, on: dt.date) -> bool:
    """Fully vaccinated on `on` under the "fully_vaccinated" rule version then in force (cases' and contacts'
    prefill of a person's vaccination status)."""
    return services.is_fully_vaccinated(person, on)


def coverage(unit, on: dt.date) -> dict:
    """Coverage of `unit` on `on` by age band and group (the daily report's section; cached, see services.coverage):
    {"population_year", "bands", "groups", …}."""
    return services.coverage(unit, on)


def coverage_for_levels_many(units, on: dt.date) -> dict[int, dict]:
    """unit id → the coverage figures epidemic levels use (adult_1dose_pct, age50_full_pct, high_risk_full_pct,
    full_pct), for many units in one pass."""
    return services.coverage_for_levels_many(units, on)
