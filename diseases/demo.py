"""Demo data of the diseases app, called by `phongdich demo` (see core.demo) before the care apps' builders (the
diseases app comes first in INSTALLED_APPS): the shipped packs COVID-19, measles and dengue (diseases/pack_files),
so every later builder finds its disease's rules."""


def build(ctx) -> None:
    from .packs import SHIPPED, install_missing

    for code in SHIPPED:
        created = install_missing(code)
        ctx.say(f"  Gói bệnh {code}: {created} phiên bản quy định mới")
