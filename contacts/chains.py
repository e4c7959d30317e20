"""Chains of transmission: the graph of cases linked by contacts (source_case → converted_case).

Walked with recursive CTEs, which SQLite and PostgreSQL both run: the whole chain (up and down, with the edges) is
one query, and the open contacts hanging off its cases a second one, whatever the number of generations. Cycles are
refused when a link is written (contacts.services), and the walk is depth-limited anyway.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from .models import Contact

MAX_GENERATIONS = 100

# Every case below (direction "down") or above ("up") the start, with its distance and the contact row it was
# reached through. UNION (not UNION ALL) keeps a diamond-shaped chain from multiplying rows.
_WALK = """
WITH RECURSIVE down(case_id, depth, contact_id, from_case) AS (
    SELECT CAST(%s AS BIGINT), 0, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
    UNION
    SELECT c.converted_case_id, d.depth + 1, c.id, c.source_case_id
    FROM {t} c JOIN down d ON c.source_case_id = d.case_id
    WHERE c.converted_case_id IS NOT NULL AND d.depth < %s
),
up(case_id, depth, contact_id, to_case) AS (
    SELECT CAST(%s AS BIGINT), 0, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
    UNION
    SELECT c.source_case_id, u.depth + 1, c.id, c.converted_case_id
    FROM {t} c JOIN up u ON c.converted_case_id = u.case_id
    WHERE u.depth < %s
)
SELECT 'd', case_id, depth, contact_id, from_case FROM down
UNION ALL
SELECT 'u', case_id, depth, contact_id, to_case FROM up WHERE depth > 0
"""


def _walk(case_id: int, up: int, down: int) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(_WALK.format(t=Contact._meta.db_table), [case_id, down, case_id, up])
        return cur.fetchall()


def descendants(case_id: int, depth: int = MAX_GENERATIONS) -> dict[int, int]:
    """Every case below `case_id` (and itself) with its smallest distance from it."""
    out: dict[int, int] = {}
    for kind, cid, d, _c, _o in _walk(case_id, 0, depth):
        if kind == "d" and (cid not in out or d < out[cid]):
            out[cid] = d
    return out


def ancestors(case_id: int, depth: int = MAX_GENERATIONS) -> dict[int, int]:
    out: dict[int, int] = {case_id: 0}
    for kind, cid, d, _c, _o in _walk(case_id, depth, 0):
        if kind == "u" and (cid not in out or d < out[cid]):
            out[cid] = d
    return out


@dataclass
class Chain:
    case_id: int
    generations: dict[int, int]  # case id → generation relative to the case asked for (ancestors negative)
    case_edges: list[tuple[int, int, int]] = field(default_factory=list)  # (source case, infected case, contact id)
    # Open contacts (not cases) of the chain's cases: dicts with id, source_case_id, generation, status,
    # person__full_name, person__commune_id.
    contacts: list[dict] = field(default_factory=list)


def chain_of(case_id: int, *, up: int = MAX_GENERATIONS, down: int = MAX_GENERATIONS, with_contacts: bool = True,
             contact_limit: int = 5000) -> Chain:
    """The case's chain up and down, with generations and edges; optionally the open contacts of its cases."""
    gens: dict[int, int] = {case_id: 0}
    edges: set[tuple[int, int, int]] = set()
    for kind, cid, depth, contact_id, other in _walk(case_id, up, down):
        if kind == "d":
            gens[cid] = min(gens.get(cid, depth), depth)
            if contact_id is not None:
                edges.add((other, cid, contact_id))
        else:
            gens.setdefault(cid, -depth)
            edges.add((cid, other, contact_id))
    chain = Chain(case_id=case_id, generations=gens, case_edges=sorted(edges))
    if with_contacts:
        chain.contacts = list(
            Contact.objects.filter(source_case_id__in=list(gens), converted_case__isnull=True)
            .values("id", "source_case_id", "generation", "status", "person__full_name", "person__commune_id")
            .order_by("id")[:contact_limit]
        )
    return chain
