"""Demo data of the geo app, called by `phongdich demo` (see core.demo).

Boundaries come from ../shared/geo/ when that folder exists (their licence forbids redistribution: never
commit them). Without them every map shows markers at the units' centroids.
"""
from pathlib import Path

from django.conf import settings

BOUNDARY_FILES = ("kontum_districts.geojson", "kontum_communes.geojson")


def shared_geo_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "geo"


def build(ctx) -> None:
    from .services import import_boundaries

    folder = shared_geo_dir()
    if not folder.is_dir():
        ctx.say("Không có ../shared/geo: bản đồ dùng tâm đơn vị / no boundaries, maps use centroids")
        return
    for name in BOUNDARY_FILES:
        path = folder / name
        if path.exists():
            out = import_boundaries(path.read_bytes(), source=name)
            ctx.say(f"Ranh giới / boundaries {name}: {out['loaded']}")
