from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid
from geo.models import Structure
from geo.services import import_boundaries


class Command(BaseCommand):
    help = "Load unit polygons from a GeoJSON file whose features carry GSO codes (ma_xa / ma_huyen / ma_tinh)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--code-property", help="feature property holding the GSO code (default: ma_xa/ma_huyen/ma_tinh)")
        parser.add_argument("--structure", choices=Structure.values, default=Structure.PRE_2025)

    def handle(self, *args, **opts):
        for name in opts["files"]:
            path = Path(name)
            if not path.exists():
                raise CommandError(f"Không có tệp {name} / no such file")
            try:
                out = import_boundaries(path.read_bytes(), code_property=opts["code_property"], structure=opts["structure"],
                                        source=path.name)
            except Invalid as exc:
                raise CommandError(str(exc))
            self.stdout.write(f"{path.name}: {out['loaded']} ranh giới / boundaries; "
                              f"{len(out['unmatched'])} mã không khớp / unmatched {out['unmatched'][:10]}")
