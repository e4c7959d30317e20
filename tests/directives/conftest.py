import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(FIXTURES.glob("0*.txt"))


def seed_text(prefix: str) -> str:
    return next(p for p in SEEDS if p.name.startswith(prefix)).read_text(encoding="utf-8")


@pytest.fixture
def answers():
    return json.loads((FIXTURES / "answers.json").read_text(encoding="utf-8"))


@pytest.fixture
def catalog(kontum):
    from directives.catalog import catalog_from_db

    return catalog_from_db()


def expand(names, catalog) -> set[str]:
    out = set()
    for n in names:
        out |= set(catalog.group(n[1:])) if n.startswith("@") else {n}
    return out
