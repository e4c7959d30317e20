from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import FileRejected
from geo.importers import PopulationImporter, actor_for, print_result


class Command(BaseCommand):
    help = "Import population denominators from CSV/XLSX (mã xã, năm, giới tính, nhóm tuổi, dân số). Nothing is saved if a row is bad unless --valid-only."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="import as this user (his jurisdiction applies)")
        parser.add_argument("--valid-only", action="store_true")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            result = PopulationImporter(by=actor_for(opts["user"]), mode="valid_only" if opts["valid_only"] else "all").run(path.read_bytes(), path.name)
        except (FileRejected, OSError) as exc:
            raise CommandError(str(exc))
        print_result(self.stdout, result)
        if not result.saved:
            raise CommandError("Không nhập / not imported")
