"""`phongdich backup [--to DIR]`: a consistent copy of the database, taken while the system runs.

SQLite: the online backup API into a new file. PostgreSQL: `pg_dump --format=custom` (restore with `pg_restore`).
"""
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the database into var/backups/ (or --to DIR)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args, **opts):
        folder = Path(opts["to"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            target = folder / f"phongdich-{stamp}.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(target) as out:
                connection.connection.backup(out)  # Django's own connection: consistent while others write
        elif connection.vendor == "postgresql":
            if not shutil.which("pg_dump"):
                raise CommandError("Cần pg_dump / pg_dump is required (apt-get install postgresql-client)")
            target = folder / f"phongdich-{stamp}.dump"
            env = {"PGPASSWORD": db.get("PASSWORD") or ""}
            cmd = ["pg_dump", "--format=custom", f"--file={target}", "-h", db.get("HOST") or "localhost",
                   "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres", db["NAME"]]
            result = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
            if result.returncode:
                raise CommandError(result.stderr.strip())
        else:
            raise CommandError(f"Unsupported database: {connection.vendor}")
        self.stdout.write(f"Đã sao lưu / backed up: {target} ({target.stat().st_size:,} bytes)")
