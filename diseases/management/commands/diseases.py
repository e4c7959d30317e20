"""`phongdich diseases load FILE …` / `export CODE [-o FILE]` / `list` / `gaps CODE`: disease packs (docs/diseases.md)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid


class Command(BaseCommand):
    help = "Disease packs: load FILE (idempotent, refused whole on any error), export CODE, list, gaps CODE."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load or update one or more packs (YAML/JSON)")
        load.add_argument("files", nargs="+")
        load.add_argument("--user", help="username recorded as the loader (audit)")
        export = sub.add_parser("export", help="write the pack of a disease")
        export.add_argument("code")
        export.add_argument("-o", "--output", help="file to write (default: standard output)")
        sub.add_parser("list", help="the diseases and their number of rule versions")
        gaps = sub.add_parser("gaps", help="dates no version covers, per rule kind of a disease")
        gaps.add_argument("code")
        # Subparsers do not inherit Django's common options; the top parser's --settings etc. still apply.
        for p in (load, export, gaps):
            p.called_from_command_line = getattr(parser, "called_from_command_line", False)

    def handle(self, *args, **opts):
        from diseases import packs

        action = opts["action"]
        if action == "load":
            by = None
            if opts.get("user"):
                from django.contrib.auth import get_user_model

                by = get_user_model().objects.filter(username=opts["user"]).first()
                if by is None:
                    raise CommandError(f"No user {opts['user']}")
            failed = False
            for name in opts["files"]:
                path = Path(name)
                try:
                    result = packs.load(path.read_bytes(), path.name, by=by)
                except FileNotFoundError:
                    raise CommandError(f"{name}: no such file")
                except packs.PackRefused as exc:
                    failed = True
                    self.stderr.write(f"{name}: {exc}")
                    for error in exc.errors:
                        self.stderr.write(f"  {name}: {error}")
                    continue
                self.stdout.write(f"{name}: {result.disease.code} — {result.created} created, {result.updated} updated, "
                                  f"{result.unchanged} unchanged"
                                  + (f", {len(result.not_in_pack)} versions in the database not in the pack (kept)" if result.not_in_pack else ""))
            if failed:
                raise CommandError("pack refused, nothing loaded from it")
        elif action == "export":
            try:
                text = packs.export(opts["code"])
            except Invalid as exc:
                raise CommandError(str(exc))
            if opts.get("output"):
                Path(opts["output"]).write_text(text, encoding="utf-8")
                self.stdout.write(f"{opts['code']} → {opts['output']}")
            else:
                self.stdout.write(text, ending="")
        elif action == "list":
            from diseases.models import Disease

            for d in Disease.objects.order_by("code"):
                self.stdout.write(f"{d.code}\t{d.name}\t{d.icd10}\t{d.group or '-'}\t{d.rule_sets.count()} versions"
                                  + ("\tdefault" if d.is_default else ""))
        elif action == "gaps":
            import datetime as dt

            from diseases.models import RuleSet
            from diseases.rules import coverage_gaps, typed_kinds

            kinds = set(RuleSet.objects.filter(disease__code=opts["code"]).values_list("kind", flat=True))
            kinds |= {k for k, spec in typed_kinds().items() if spec.model.objects.filter(disease__code=opts["code"]).exists()}
            for kind in sorted(kinds):
                gaps = coverage_gaps(opts["code"], kind, until=dt.date.today())
                text = ", ".join(f"{a:%d/%m/%Y}–{b:%d/%m/%Y}" if b else f"from {a:%d/%m/%Y}" for a, b in gaps) or "none"
                self.stdout.write(f"{kind}: gaps {text}")
