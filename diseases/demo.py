"""Demo data of the diseases app, called by `phongdich demo` (see core.demo) before the care apps' builders (the
diseases app comes first in INSTALLED_APPS): the shipped packs COVID-19, measles and dengue (diseases/pack_files),
and the demo's own hand-foot-mouth pack (diseases/demo_packs, its values unconfirmed), so every later builder finds
its disease's rules and the living era shows the diseases a province fights today."""
from pathlib import Path

DEMO_PACKS = Path(__file__).resolve().parent / "demo_packs"


def build(ctx) -> None:
    from .models import Disease
    from .packs import SHIPPED, install_missing, load

    for code in SHIPPED:
        created = install_missing(code)
        ctx.say(f"  Gói bệnh {code}: {created} phiên bản quy định mới")
    for path in sorted(DEMO_PACKS.glob("*.yaml")):
        if Disease.objects.filter(code=path.stem).exists():
            continue
        result = load(path.read_text(encoding="utf-8"), path.name)
        ctx.say(f"  Gói bệnh {path.stem} (dữ liệu mẫu / demo only): {result.created} phiên bản quy định mới")
