"""`phongdich directives parse FILE [--json]`: read a directive (TXT, DOCX or PDF) and print its structure."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid


class Command(BaseCommand):
    help = "Directives: `parse FILE --json` prints the proposed structure (addressees, tasks, assignees, deadlines)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parse", help="Parse a directive file (TXT, DOCX, PDF)")
        p.add_argument("file")
        p.add_argument("--json", action="store_true", help="print the JSON contract")

    def handle(self, *args, action=None, **options):
        from directives.services import parse_text, read_upload

        if action != "parse":
            raise CommandError(f"unknown action {action}")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp / file not found: {path}")
        try:
            text = read_upload(path.name if path.suffix else path.name + ".txt", path.read_bytes())
        except Invalid as exc:
            raise CommandError(str(exc))
        result = parse_text(text)
        if options["json"]:
            for t in result["tasks"]:
                t.pop("text_folded", None)
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result['kind'] or '?'} {result['number'] or ''} {result['date'] or ''} — {result['issuer'] or ''}")
        self.stdout.write(f"V/v: {result['subject'] or ''}")
        for t in result["tasks"]:
            when = t["deadline"] or (t["recurrence"] and json.dumps(t["recurrence"])) or ""
            self.stdout.write(f"  [{t['ref']}] {', '.join(t['assignees'])[:120]} {when}")
        for w in result["warnings"]:
            self.stdout.write(self.style.WARNING(w))
