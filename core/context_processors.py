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
