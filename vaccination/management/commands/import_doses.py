import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import FileRejected
from geo.importers import actor_for
from vaccination.bulk import DoseImporter


class Command(BaseCommand):
    help = ("Import injections exported from the national vaccination platform (CSV/XLSX; layout in docs/vaccination.md). "
            "Nothing is saved if a row is bad unless --valid-only; doses already recorded are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="import as this user (his jurisdiction applies; default: console operator)")
        parser.add_argument("--valid-only", action="store_true", help="save the good rows, report the bad ones")
        parser.add_argument("--errors", help="write every rejected row to this CSV file")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        out = self.stdout

        def progress(phase, pct):
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            out.write(f"\r[{bar}] {pct:3d}% {phase:<20}", ending="")
            out.flush()

        importer = DoseImporter(by=actor_for(opts["user"]), mode="valid_only" if opts["valid_only"] else "all", progress=progress)
        try:
            result = importer.run(path.read_bytes(), path.name)
        except (FileRejected, OSError) as exc:
            raise CommandError(str(exc))
        out.write("")
        for e in result.errors[:50]:
            out.write(f"Dòng/Line {e['line']} [{e['column']}]: {e['message_vi']} / {e['message_en']}")
        if result.error_count > 50:
            out.write(f"… {result.error_count - 50} dòng lỗi khác / more rows in error (--errors FILE for all)")
        if opts["errors"]:
            with open(opts["errors"], "w", encoding="utf-8-sig", newline="") as fh:
                n = importer.write_error_csv(fh)
            out.write(f"{n} lỗi ghi vào / errors written to {opts['errors']}")
        state = "đã lưu / saved" if result.saved else "KHÔNG lưu gì / nothing saved"
        out.write(f"{result.total_rows} dòng/rows, {result.imported} nhập/imported, {result.error_count} dòng lỗi/rows in error, "
                  f"{result.skipped_duplicates} đã có/already present — {state}")
        out.write("Thời gian / timings (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items()))
        if not result.saved:
            sys.stdout.flush()
            raise CommandError("Không nhập / not imported")
