"""Set-up shared by the bench scripts: a throw-away PostgreSQL database, and Django pointed at it.

Scripts import it as `from _setup import ...`: Python puts the script's directory (bench/) first on sys.path.
Nothing here is timed. Running this file does nothing (`make bench` runs every bench/*.py).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Benchmarks are development runs (settings default DEBUG to off, which needs a SECRET_KEY): as before, DEBUG=1 unless
# a script sets production-like settings itself (cases_board.py). Child processes inherit it.
os.environ.setdefault("DEBUG", "1")


def create_database(url: str, *, reuse: bool = False) -> bool:
    """Create the database named in `url`, dropping it first unless `reuse` and it exists.

    Returns True when an existing database was kept. The name must be a throw-away one.
    """
    import psycopg

    base, dbname = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None
        if exists and reuse:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    return False


def setup_django(url: str | None = None, *, migrate: bool = False) -> None:
    """django.setup() on `url` (default: DATABASE_URL as already set, e.g. by the parent process); migrate if asked."""
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def child_env(url: str, **extra: str) -> dict:
    """Environment of a child bench process (`python bench/x.py --child`) on the database `url`."""
    return {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), **extra}
