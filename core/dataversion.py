"""Cached aggregates with clear invalidation: a named data version, bumped by the services that write the data.

A figure computed over the whole registry (coverage by age band, boards) is cached under a key that includes the
version of the data it reads, `cached(("coverage", unit.pk, day), versions=["vaccination", "population"], …)`.
Writers call `bump("vaccination")` inside their transaction: the version moves at once (the writer's own later
reads see its write) and again on commit (a reader that cached, under the first bump, figures computed before the
commit made the write visible, is invalidated too). Old entries are not deleted: no key names them, they expire.

With Redis (production) every process shares the versions; without it (`make run`, one process) the in-process
cache holds them. Tests start with an empty cache (tests/conftest.py).
"""
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 6 * 3600  # a safety net: a figure is recomputed at least every 6 hours even if a writer forgot to bump


def _key(name: str) -> str:
    return f"dataversion:{name}"


def version(name: str) -> int:
    value = cache.get(_key(name))
    if value is None:
        cache.add(_key(name), 1, None)
        value = cache.get(_key(name), 1)
    return value


def bump(name: str) -> None:
    """Invalidate every cached figure that reads `name`: now, and again when the current transaction commits."""
    _incr(name)
    transaction.on_commit(lambda: _incr(name))


def _incr(name: str) -> None:
    try:
        cache.incr(_key(name))
    except ValueError:  # not set yet (or evicted): start above the value `version` would have given
        cache.set(_key(name), 2, None)


def cached(key: tuple, *, versions: Iterable[str], compute: Callable[[], object]):
    """`compute()` once per combination of `key` and the current versions of the data it reads."""
    full = "agg:" + ":".join(str(k) for k in key) + ":" + ":".join(f"{n}{version(n)}" for n in versions)
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, TIMEOUT)
    return value
