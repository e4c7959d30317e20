"""Demo data of the geo app, called by `phongdich demo` (see core.demo).

Boundaries come from ../shared/geo/ when that folder exists (their licence forbids redistribution: never
commit them). Without them every map shows markers at the units' centroids.
"""
from pathlib import Path

from django.conf import settings

BOUNDARY_FILES = ("kontum_districts.geojson", "kontum_communes.geojson")


def shared_geo_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "geo"


# Two health regions over the former Kon Tum, on the 2025 communes of Quảng Ngãi (51) that took over its communes:
# (name, centre, pre-2025 Kon Tum districts whose communes' successors it serves).
DEMO_REGIONS = (
    ("Khu vực Kon Tum – Đăk Hà", "Trung tâm Y tế khu vực Kon Tum", ("608", "615")),
    ("Khu vực Đăk Tô – Ngọc Hồi – Đăk Glei", "Trung tâm Y tế khu vực Đăk Tô", ("610", "611", "612", "617")),
)


def build(ctx) -> None:
    build_regions(ctx)
    build_boundaries(ctx)


def build_regions(ctx) -> list:
    """The demo's health regions (idempotent): each 2025 commune in the region of its predecessors' district (the
    default successor's), in one region only. Sets ctx.regions."""
    from . import areas
    from .models import HealthRegion, UnitCorrespondence
    from .services import create_region

    ctx.regions = []
    successors = dict(UnitCorrespondence.objects.filter(is_default=True, old_unit__path__startswith="/62/")
                      .values_list("old_unit__path", "new_unit"))
    if not successors:
        return []
    from .models import AdministrativeUnit

    taken: set[int] = set()
    for name, centre, districts in DEMO_REGIONS:
        ids = {n for path, n in successors.items() if path.split("/")[2] in districts} - taken
        taken |= ids
        communes = list(AdministrativeUnit.objects.filter(pk__in=ids))
        province = communes[0].parent if communes else areas.installation_province()
        region = HealthRegion.objects.filter(province=province, name=name).first()
        if region is None and communes:
            region = create_region(by=None, province=province, name=name, communes=communes, centre_name=centre)
        if region is not None:
            ctx.regions.append(region)
            ctx.say(f"Khu vực y tế / health region {name}: {region.communes.count()} xã / communes")
    return ctx.regions


def build_boundaries(ctx) -> None:
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
