from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from .navigation import entries_for


def navigation(request):
    items = []
    for entry in entries_for(getattr(request, "user", None)) if hasattr(request, "user") else []:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": gettext(entry.label), "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
