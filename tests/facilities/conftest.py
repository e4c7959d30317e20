# Beds and admissions are exercised through cases: the same fixtures.
from tests.cases.conftest import _covid_rules, at, open_case  # noqa: F401
