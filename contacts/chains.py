"""Chains of transmission: the graph of cases linked by contacts (source_case → converted_case).

Walked with a recursive CTE, which SQLite and PostgreSQL both run, so a 10-generation chain is one query each
way instead of one query per generation. Cycles are refused when a link is written (contacts.services), and the
walk is depth-limited anyway.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from .models import Contact

MAX_GENERATIONS = 100


def _walk(sql: str, case_id: int, depth: int) -> dict[int, int]:
    table = Contact._meta.db_table
    with connection.cursor() as cur:
        cur.execute(sql.format(t=table), [case_id, depth])
        return {row[0]: row[1] for row in cur.fetchall()}


# Every case below `case_id` with its smallest distance (generation) from it.
_DOWN = """
WITH RECURSIVE down(case_id, depth) AS (
    SELECT CAST(%s AS BIGINT), 0
    UNION
    SELECT c.converted_case_id, d.depth + 1
    FROM {t} c JOIN down d ON c.source_case_id = d.case_id
    WHERE c.converted_case_id IS NOT NULL AND d.depth < %s
)
SELECT case_id, MIN(depth) FROM down GROUP BY case_id
"""

# Every case above `case_id` (who infected it, and who infected them…).
_UP = """
WITH RECURSIVE up(case_id, depth) AS (
    SELECT CAST(%s AS BIGINT), 0
    UNION
    SELECT c.source_case_id, u.depth + 1
    FROM {t} c JOIN up u ON c.converted_case_id = u.case_id
    WHERE u.depth < %s
)
SELECT case_id, MIN(depth) FROM up GROUP BY case_id
"""


def descendants(case_id: int, depth: int = MAX_GENERATIONS) -> dict[int, int]:
    return _walk(_DOWN, case_id, depth)


def ancestors(case_id: int, depth: int = MAX_GENERATIONS) -> dict[int, int]:
    return _walk(_UP, case_id, depth)


@dataclass
class Chain:
    case_id: int
    generations: dict[int, int]  # case id → generation relative to the case asked for (ancestors negative)
    case_edges: list[tuple[int, int, int]] = field(default_factory=list)  # (source case, infected case, contact id)
    contacts: list[Contact] = field(default_factory=list)  # contacts not (yet) cases, hanging off the chain's cases


def chain_of(case_id: int, *, up: int = MAX_GENERATIONS, down: int = MAX_GENERATIONS, with_contacts: bool = True,
             contact_limit: int = 5000) -> Chain:
    """The case's chain up and down, with generations; optionally the open contacts of every case in it."""
    gens = {cid: d for cid, d in descendants(case_id, down).items()}
    for cid, d in ancestors(case_id, up).items():
        gens.setdefault(cid, -d)
    ids = list(gens)
    edges = list(
        Contact.objects.filter(source_case_id__in=ids, converted_case_id__in=ids).values_list("source_case_id", "converted_case_id", "id")
    )
    chain = Chain(case_id=case_id, generations=gens, case_edges=edges)
    if with_contacts:
        chain.contacts = list(
            Contact.objects.filter(source_case_id__in=ids, converted_case__isnull=True)
            .select_related("person").order_by("id")[:contact_limit]
        )
    return chain
