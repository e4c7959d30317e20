"""Benchmark: API token authentication (accounts.authentication.TokenAuthentication) on PostgreSQL.

    .venv/bin/python bench/accounts_token_auth.py [--tokens 20000] [--calls 5000] [--reuse]
        [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_tokens]

Builds a throw-away PostgreSQL database with Kon Tum's units, one care-team user per commune and `--tokens` tokens
(some revoked, some expired: the lookup must skip them by its WHERE clause, not by reading them), then times
`authenticate_credentials(key)` — SHA-256 of the key and the one query for token, user and unit — for random valid
keys, as every API call pays it. Prints the median and p95 in microseconds and the queries per call.
"""
import argparse
import datetime as dt
import random
import statistics
import time

from _setup import create_database, setup_django


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=20000)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_tokens")
    args = ap.parse_args()
    create_database(args.pg, reuse=args.reuse)
    setup_django(args.pg, migrate=True)
    import secrets

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.authentication import TokenAuthentication
    from accounts.models import ApiToken, User
    from accounts.services import token_digest
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level="commune"))
    users = [User.objects.get_or_create(username=f"bench_care_{c.code}", defaults={"role": "care_team", "unit": c})[0] for c in communes]
    now = timezone.now()
    keys, rows = [], []
    for i in range(args.tokens):
        key = secrets.token_urlsafe(30)
        state = i % 10  # 1 in 10 revoked, 1 in 10 expired
        rows.append(ApiToken(user=users[i % len(users)], name=f"bench {i}", digest=token_digest(key), prefix=key[:8],
                             expires_at=now - dt.timedelta(days=1) if state == 1 else now + dt.timedelta(days=90),
                             revoked_at=now if state == 2 else None))
        if state > 2:
            keys.append(key)
    ApiToken.objects.all().delete()
    ApiToken.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    auth = TokenAuthentication()
    for key in keys[:200]:  # warm the connection and the query text
        auth.authenticate_credentials(key)
    times = []
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(args.calls):
            key = random.choice(keys)
            t = time.perf_counter()
            auth.authenticate_credentials(key)
            times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    print(f"tokens stored: {args.tokens:,} ({len(keys):,} valid); calls: {args.calls:,}")
    print(f"authenticate_credentials: median {statistics.median(times):.0f} µs, p95 {times[int(len(times) * 0.95)]:.0f} µs, "
          f"{len(ctx.captured_queries) / args.calls:.1f} queries per call")


if __name__ == "__main__":
    main()
