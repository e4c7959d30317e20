"""Home-page tile: the population of the user's own unit (latest year with denominators)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from core.roles import HEALTH_READERS


def tiles(request) -> list[dict]:
    user = request.user
    unit = getattr(user, "jurisdiction_unit", None)
    if unit is None or not user.has_role(HEALTH_READERS):
        return []
    from .services import population, population_years
    from .templatetags.geo_tags import dotted

    years = population_years(unit)
    if not years:
        return []
    return [{
        "label": _("Dân số %(unit)s (%(year)s)") % {"unit": unit.name, "year": years[0]},
        "value": dotted(population(unit, years[0])),
        "url": reverse("geo:unit", args=[unit.pk]),
        "tone": "",
    }]
