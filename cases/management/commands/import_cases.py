"""`manage.py import_cases FILE --user USERNAME [--valid-only]`: the daily line-list import from the command line."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import FileRejected


class Command(BaseCommand):
    help = "Import a daily case line list (CSV/XLSX, layout in docs/cases.md) as the given user."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="username recorded as the importer (audit)")
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows even if some are bad")

    def handle(self, *args, **opts):
        from accounts.models import User
        from cases.imports import CaseLineListImporter

        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"No user {opts['user']}")
        path = Path(opts["file"])
        try:
            result = CaseLineListImporter(by=user, mode="valid_only" if opts["valid_only"] else "all").run(path.read_bytes(), path.name)
        except FileRejected as exc:
            raise CommandError(str(exc))
        for error in result.errors:
            self.stderr.write(str(error))
        self.stdout.write(f"{result.total_rows} rows, {result.imported} imported, {result.skipped_duplicates} duplicates skipped, "
                          f"{len(result.errors)} errors{'' if result.saved else ' — nothing saved'}")
        if result.errors and not result.saved:
            raise CommandError("nothing imported")
