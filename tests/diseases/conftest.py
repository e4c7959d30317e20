import pytest


@pytest.fixture(autouse=True)
def _covid_rules(db):
    """The rule versions come from a data migration; a live-server test elsewhere may have flushed them."""
    from diseases.seed_covid19 import install

    install()
