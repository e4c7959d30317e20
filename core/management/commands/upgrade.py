"""`phongdich upgrade`: bring an installation up to the code it runs, in the right order, stopping at the first failure.

Run it after installing a new version (and on the first installation), as the service user, with the production
environment loaded (docs/deploy.md), then restart the services.
"""
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# (name, command, arguments, why it comes here)
STEPS = [
    ("check", "check", ["--deploy"], "the settings are sound before anything changes"),
    ("migrate", "migrate", ["--no-input"], "the database schema and seeded reference data"),
    ("load_admin_units", "load_admin_units", [], "administrative units (idempotent)"),
    ("compile_translations", "compile_translations", [], "the English catalogues (.po → .mo)"),
    ("collectstatic", "collectstatic", ["--no-input"], "static files with hashed names, for whitenoise or nginx"),
    ("check_database", "check", ["--deploy", "--database", "default"], "everything, the migrated database included"),
]


class Command(BaseCommand):
    help = "Upgrade this installation: checks, migrate, reference data, translations, static files, final checks."

    def add_arguments(self, parser):
        parser.add_argument("--skip", action="append", default=[], choices=[s[0] for s in STEPS],
                            help="skip a step (repeatable), e.g. --skip load_admin_units")

    def handle(self, *args, **opts):
        steps = [s for s in STEPS if s[0] not in opts["skip"]]
        for number, (name, command, arguments, why) in enumerate(steps, 1):
            self.stdout.write(f"[{number}/{len(steps)}] {name} — {why}")
            started = time.perf_counter()
            try:
                call_command(command, *arguments, stdout=self.stdout, stderr=self.stderr)
            except BaseException as exc:  # SystemCheckError, database errors, SystemExit from a sub-command …
                if isinstance(exc, KeyboardInterrupt):
                    raise
                raise CommandError(
                    f"Bước {number}/{len(steps)} ({name}) thất bại, các bước sau không chạy. / "
                    f"Step {number}/{len(steps)} ({name}) failed; the following steps did not run.\n{exc}"
                ) from exc
            self.stdout.write(f"      ok ({time.perf_counter() - started:.1f}s)")
        self.stdout.write(self.style.SUCCESS("Nâng cấp xong / upgrade complete: restart the services (docs/deploy.md)."))
