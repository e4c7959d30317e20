from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from .navigation import entries_for


def navigation(request):
    """The menu, grouped by app: an app's first entry heads its group, the others open under it."""
    groups: list[dict] = []
    by_app: dict[str, dict] = {}
    for entry in entries_for(getattr(request, "user", None)) if hasattr(request, "user") else []:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        item = {"label": gettext(entry.label), "url": url, "active": request.path.startswith(url) and url != "/"}
        app = entry.url_name.split(":", 1)[0]
        if app not in by_app:
            by_app[app] = {**item, "children": []}
            groups.append(by_app[app])
        else:
            by_app[app]["children"].append(item)
    for group in groups:
        group["open"] = group["active"] or any(c["active"] for c in group["children"])
    return {"nav_items": groups}


# The demo's two eras (docs/demo.md): which one a page shows, for the banner of the demo installation.
_ERA_DATE_PARAMS = ("week", "day", "date", "on", "tuan", "ngay", "from", "to", "tu", "den")


def demo_era(request):
    """On the demo installation (settings.PHONGDICH_DEMO), say which era the page shows: the 2021–2022 history on the
    pre-2025 units when the page is switched to the pre-2025 structure or asked for a date before 01/07/2025, or the
    user's own unit is a pre-2025 one (the demo's district health officer: his district's records are the history),
    else the last 90 days on today's map."""
    from django.conf import settings

    user = getattr(request, "user", None)
    if not getattr(settings, "PHONGDICH_DEMO", False) or user is None or not user.is_authenticated:
        return {}
    era = era_of(request.GET)
    unit = getattr(user, "jurisdiction_unit", None)
    if unit is not None and not unit.is_post_2025 and request.GET.get("structure") != "2025":
        era = "history"
    return {"demo_era": era}


def era_of(params) -> str:
    import datetime as dt

    from core.parsing import parse_date

    if params.get("structure") == "pre2025":
        return "history"
    for key in _ERA_DATE_PARAMS:
        try:
            day = parse_date(params.get(key))
        except (ValueError, TypeError):
            continue
        if day is not None and day < dt.date(2025, 7, 1):
            return "history"
    return "living"
