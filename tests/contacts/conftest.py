import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _rules(db):
    """Rule versions come from data migrations; a live-server test elsewhere may have flushed them."""
    from contacts.seed_rules import install
    from diseases.seed_covid19 import install as install_covid

    install_covid()
    install()


@pytest.fixture
def open_case(personas):
    """open_case(person, confirmed_on) → a case opened through the cases capability."""
    from cases.services import open_case as _open

    def make(person, confirmed_on=dt.date(2022, 2, 1), **kw):
        return _open(by=personas["commune_a"], person=person, confirmed_on=confirmed_on, test_kind="rt_pcr", **kw)

    return make


