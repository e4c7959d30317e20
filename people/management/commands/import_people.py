from django.core.management.base import CommandError

from geo.importers import ImportFileCommand
from geo.models import AdministrativeUnit, Level
from people.importers import PersonImporter


class Command(ImportFileCommand):
    help = ("Import people from CSV/XLSX (columns: docs/imports.md). Nothing is saved if a row is bad unless "
            "--valid-only; people already registered (same ID) and possible duplicates are reported, not imported.")
    importer_class = PersonImporter
    user_help = "import as this user (his jurisdiction applies; default: console operator)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--commune", help="GSO code of the commune for rows that name none")

    def importer_kwargs(self, opts):
        default = None
        if opts["commune"]:
            default = AdministrativeUnit.objects.filter(level=Level.COMMUNE, code=opts["commune"]).order_by("structure").first()
            if default is None:
                raise CommandError(f"Không có xã mã {opts['commune']} / no such commune")
        return {"default_commune": default,
                "progress": lambda done, total: self.stdout.write(f"  … {done}/{total}", ending="\r")}

    def after_result(self, importer, result):
        for s in importer.skipped:
            self.stdout.write(str(s))
