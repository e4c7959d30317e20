"""The field app's shell: one page, its web manifest, its service worker and its icons.

The page holds no personal data (the worklists live in the phone's IndexedDB and come through the sync API), so the
service worker may keep it for offline start; it never keeps an API answer.
"""
import io
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.roles import HEALTH_READERS
from core.views import role_required


@role_required(HEALTH_READERS)
def app(request):
    return render(request, "fieldapp/app.html")


@role_required(HEALTH_READERS)
def install(request):
    """How to put the field app on a phone: a page of the site (read on the station's computer too), with the
    address to open on the phone."""
    return render(request, "fieldapp/install.html", {"app_url": request.build_absolute_uri(reverse("fieldapp:app"))})


def manifest(request):
    data = {
        "name": _("phongdich – Thực địa"),
        "short_name": _("Thực địa"),
        "description": _("Theo dõi F0 tại nhà, F1, tiêm chủng khi không có sóng điện thoại."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("fieldapp:app"),
        "scope": reverse("fieldapp:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": reverse("fieldapp:icon", args=[192]), "sizes": "192x192", "type": "image/png"},
            {"src": reverse("fieldapp:icon", args=[512]), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@never_cache
def service_worker(request):
    """Served from /fieldapp/ (not /static/) so that its scope is the app; the list of files it keeps names their
    hashed static URLs, so a new release installs a new worker."""
    with open(finders.find("fieldapp/sw.js"), encoding="utf-8") as f:
        body = f.read()
    shell = [reverse("fieldapp:app"), reverse("fieldapp:manifest")] + [
        static(p) for p in ("fieldapp/app.js", "fieldapp/rules.js", "fieldapp/store.js", "fieldapp/words.js", "fieldapp/field.css")]
    body = body.replace("/*SHELL*/[]", repr(shell).replace("'", '"'))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("fieldapp:app")
    return response


@lru_cache(maxsize=4)
def _icon_png(size: int) -> bytes:
    """The app icon, drawn here (a green shield with a white cross): no image file in the repository."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), "#0b6e4f")
    d = ImageDraw.Draw(img)
    s = size / 512
    d.rounded_rectangle([96 * s, 80 * s, 416 * s, 440 * s], radius=60 * s, fill="#ffffff")
    d.rectangle([226 * s, 150 * s, 286 * s, 370 * s], fill="#0b6e4f")
    d.rectangle([146 * s, 230 * s, 366 * s, 290 * s], fill="#0b6e4f")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def icon(request, size: int):
    if size not in (192, 512):
        size = 192
    response = HttpResponse(_icon_png(size), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
