"""Cost of one public rate-limit hit (core.ratelimit.hit: an add and an incr in Django's cache) with the cache the
installation uses: file-based under a throw-away var/ without REDIS_URL, Redis with it.

Run: `python bench/security_ratelimit.py` (optionally `REDIS_URL=redis://127.0.0.1:6379/5`). No database needed.
Prints the median time per hit over 5 runs of 2,000 hits spread over 50 keys.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    os.environ["PHONGDICH_VAR_DIR"] = tempfile.mkdtemp(prefix="phongdich-bench-")
    import django

    django.setup()
    from django.core.cache import cache

    from core.ratelimit import hit

    cache.clear()
    runs = []
    for r in range(5):
        start = time.perf_counter()
        for i in range(2000):
            hit(f"bench:{r}:{i % 50}", 10**9)
        runs.append((time.perf_counter() - start) / 2000)
    from django.core.cache import caches

    backend = type(caches["default"]).__name__
    print(f"rate-limit hit ({backend}): median {statistics.median(runs) * 1e6:,.0f} µs per hit (5 × 2,000 hits)")
    cache.clear()


if __name__ == "__main__":
    main()
