"""Compile every .po catalogue to .mo with polib, so no GNU gettext is needed on a fresh machine."""
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args, **opts):
        count = 0
        for po_path in Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/*.po"):
            if ".venv" in po_path.parts or "node_modules" in po_path.parts:
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if count:
            self.stdout.write(f"compiled {count} catalogue(s)")
