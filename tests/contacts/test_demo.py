"""The demo data: testing, cases and contacts builders together give tests, pools, chains and follow-up."""
import datetime as dt
import random

import pytest

from contacts import chains
from contacts.models import Contact, Outbreak
from geo.models import AdministrativeUnit
from testing.models import Campaign, LineageAlert, Pool, Test
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_it_builds_tests_contacts_and_chains_without_cycles(kontum, commune_a, monkeypatch):
    from cases import demo as cases_demo
    from contacts import demo as contacts_demo
    from core.demo import DemoContext
    from testing import demo as testing_demo

    monkeypatch.setattr(cases_demo, "CASES", 60)
    monkeypatch.setattr(testing_demo, "TESTS", 200)
    for i in range(250):
        make_person(commune_a, full_name=f"Người Thứ {i}", birth_year=1950 + i % 60)
    ctx = DemoContext(rng=random.Random(1), people_count=250, today=dt.date(2022, 2, 14), stdout=None, province=kontum,
                      districts=list(AdministrativeUnit.objects.filter(level="district", path__startswith="/62/")),
                      communes=[commune_a])
    ctx.say = lambda text: None
    for module in (testing_demo, cases_demo, contacts_demo):
        module.build(ctx)
    assert Test.objects.count() > 200 and Pool.objects.filter(status="follow_up").count() == 1
    assert LineageAlert.objects.filter(lineage="BA.2").exists() and Campaign.objects.exists()
    converted = Contact.objects.filter(status="converted")
    assert converted.exists() and Contact.objects.filter(status="following").exists() and Outbreak.objects.exists()
    # Every link goes forward in time, so no case is its own ancestor.
    for c in converted[:20]:
        assert c.source_case_id not in chains.descendants(c.converted_case_id)
    rules = set(Contact.objects.values_list("rule_set__source_document", flat=True))
    assert any("10696" in r for r in rules) or any("762" in r for r in rules)
