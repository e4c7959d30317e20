import pytest


@pytest.fixture(autouse=True)
def _rules(db):
    """Rule versions come from data migrations; a live-server test elsewhere may have flushed them."""
    from contacts.seed_rules import install
    from diseases.seed_covid19 import install as install_covid

    install_covid()
    install()
