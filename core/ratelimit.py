"""Hourly counters for no-login pages (self-report links, public declarations, feedback, certificate checks).

They live in Django's cache, shared by every worker: Redis in production, files under var/cache/ without Redis
(settings.CACHES; docs/security.md). Keyed by core.security.client_ip, which believes X-Forwarded-For only from
TRUSTED_PROXIES."""
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone


def client_key(request) -> str:
    from .security import client_ip

    return client_ip(request) or "?"


def hit(key: str, limit: int) -> bool:
    """Count one hit in the current hour; True when over the limit."""
    bucket = f"{key}:{timezone.now():%Y%m%d%H}"
    cache.add(bucket, 0, 3600)
    try:
        n = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, 3600)
        n = 1
    return n > limit


def over_limit(key: str, limit: int) -> bool:
    """True when `key` already reached its limit this hour (without counting this request)."""
    return (cache.get(f"{key}:{timezone.now():%Y%m%d%H}") or 0) >= limit


def too_many() -> HttpResponse:
    return HttpResponse("Quá nhiều yêu cầu, hãy thử lại sau / Too many requests, try again later", status=429)
