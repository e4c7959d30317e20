from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import FileRejected
from geo.importers import actor_for, print_result
from geo.models import AdministrativeUnit, Level
from people.importers import PersonImporter


class Command(BaseCommand):
    help = ("Import people from CSV/XLSX (columns: docs/imports.md). Nothing is saved if a row is bad unless "
            "--valid-only; people already registered (same ID) and possible duplicates are reported, not imported.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="import as this user (his jurisdiction applies; default: console operator)")
        parser.add_argument("--valid-only", action="store_true")
        parser.add_argument("--commune", help="GSO code of the commune for rows that name none")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        default = None
        if opts["commune"]:
            default = AdministrativeUnit.objects.filter(level=Level.COMMUNE, code=opts["commune"]).order_by("structure").first()
            if default is None:
                raise CommandError(f"Không có xã mã {opts['commune']} / no such commune")
        importer = PersonImporter(by=actor_for(opts["user"]), mode="valid_only" if opts["valid_only"] else "all", default_commune=default,
                                  progress=lambda done, total: self.stdout.write(f"  … {done}/{total}", ending="\r"))
        try:
            result = importer.run(path.read_bytes(), path.name)
        except (FileRejected, OSError) as exc:
            raise CommandError(str(exc))
        print_result(self.stdout, result)
        for s in importer.skipped:
            self.stdout.write(str(s))
        if not result.saved:
            raise CommandError("Không nhập / not imported")
