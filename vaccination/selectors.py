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


def doses_against(person, disease, on) -> int:
    """How many doses of a vaccine against `disease` the person had by `on` (routine and catch-up doses)."""
    from .models import RoutineDose

    return RoutineDose.objects.filter(person=person, disease_id=getattr(disease, "pk", disease), given_on__lte=on).count()
