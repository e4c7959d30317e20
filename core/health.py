"""`GET /healthz/`: a small registry of checks, for load balancers and monitoring.

Each check is a function returning a JSON-serialisable dict with at least `"ok": bool`; an exception counts as a
failed check (its type only: no message, which could carry data). Checks must never return personal data.
Apps add theirs with `register("imports", check_function)` (e.g. stuck imports) from their AppConfig.ready.
"""
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[], dict]] = {}


def register(name: str, check: Callable[[], dict]) -> None:
    CHECKS[name] = check


def run_checks() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = dict(check())
        except Exception as exc:
            log.exception("health check %s failed", name)
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(r.get("ok") for r in results.values()), results


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key = "healthz:probe"
    cache.set(key, "1", 30)
    ok = cache.get(key) == "1"
    # Without Redis the cache is file-based (shared by the processes of this host), see settings.CACHES.
    return {"ok": ok, "backend": "redis" if settings.REDIS_URL else "file"}


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def check_jobs() -> dict:
    from .jobs import job_status

    jobs = {}
    for s in job_status():
        run = s["last_run"]
        jobs[s["job"]] = {
            "ok": s["ok"],
            "last_started": _iso(run.started_at) if run else None,
            "last_finished": _iso(run.finished_at) if run else None,
            "last_outcome": run.outcome if run else None,
            "failed": s["failed"],
            "missed": s["missed"],
            "expected": _iso(s["expected"]),
        }
    return {"ok": all(j["ok"] for j in jobs.values()), "jobs": jobs}


def check_imports() -> dict:
    """Background imports whose worker died (core.batches): counts and batch ids only."""
    from .batches import health_check

    return health_check()


register("database", check_database)
register("cache", check_cache)
register("jobs", check_jobs)
register("imports", check_imports)


def healthz_response(request):
    from django.http import JsonResponse

    healthy, checks = run_checks()
    response = JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthzMiddleware:
    """Answers `GET /healthz/` before anything else runs: no sign-in, no second factor, no session, no SSL redirect
    and no host check, so a load balancer probing by address over plain HTTP gets the real answer."""

    PATH = "/healthz/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in (self.PATH, self.PATH.rstrip("/")) and request.method in ("GET", "HEAD"):
            return healthz_response(request)
        return self.get_response(request)
