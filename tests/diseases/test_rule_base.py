"""The unified rule base: in_force/value on every kind and boundary, gaps refused naming the rule, the shared cache."""
import datetime as dt

import pytest

from core.errors import Invalid
from diseases import rules
from diseases.models import Disease, RuleKind, RuleSet
from diseases.rules import NoRuleInForce, coverage_gaps, default_disease, in_force, value

pytestmark = pytest.mark.django_db
D = dt.date
FIRST_CASE = D(2020, 1, 23)


@pytest.mark.parametrize("kind", ["home_care", "monitoring", "warning_signs", "release", "medicine", "f1_quarantine",
                                  "outbreak", "fully_vaccinated", "case_definition", "isolation", "reporting"])
def test_covid19_rules_cover_every_day_from_the_first_case_in_vietnam(kind):
    from contacts.seed_rules import install as contacts_install

    contacts_install()
    assert coverage_gaps("covid19", kind, start=FIRST_CASE, until=D(2026, 12, 31)) == []
    with pytest.raises(NoRuleInForce):
        in_force("covid19", kind, FIRST_CASE - dt.timedelta(days=1))
    assert in_force("covid19", kind, FIRST_CASE).valid_from == FIRST_CASE


@pytest.mark.parametrize("kind,last_day_of_old,new_source", [
    ("home_care", D(2021, 8, 20), "4038/QĐ-BYT"),
    ("release", D(2021, 8, 20), "4038/QĐ-BYT"),
    ("warning_signs", D(2021, 8, 20), "4038/QĐ-BYT"),
    ("isolation", D(2021, 8, 20), "4038/QĐ-BYT"),
    ("reporting", D(2023, 10, 19), "26/2023/QĐ-TTg"),
    ("fully_vaccinated", D(2021, 12, 15), "10696/BYT-MT"),
])
def test_each_boundary_day_belongs_to_exactly_one_version(kind, last_day_of_old, new_source):
    from contacts.seed_rules import install as contacts_install

    contacts_install()
    from vaccination.seed import FULLY_VACCINATED

    covid = Disease.objects.get(code="covid19")
    for v in FULLY_VACCINATED:  # the vaccination app's migration seeds these; a flushed database may lack them
        RuleSet.objects.get_or_create(disease=covid, kind="fully_vaccinated", valid_from=v["valid_from"],
                                      defaults={"name": v["name"], "source_document": v["source_document"],
                                                "valid_to": v["valid_to"], "values": v["values"]})
    old = in_force("covid19", kind, last_day_of_old)
    new = in_force("covid19", kind, last_day_of_old + dt.timedelta(days=1))
    assert old.pk != new.pk and new.source_document.startswith(new_source)


def test_the_refusal_names_the_rule_the_disease_and_the_day():
    covid = Disease.objects.get(code="covid19")
    RuleSet.objects.filter(disease=covid, kind="release", valid_from=FIRST_CASE).delete()
    with pytest.raises(NoRuleInForce) as refused:
        in_force(covid, "release", D(2021, 8, 2))
    assert refused.value.en == "No release rule for COVID-19 on 02/08/2021: add a version that covers this date"
    assert "02/08/2021" in refused.value.vi and "COVID-19" in refused.value.vi
    assert isinstance(refused.value, Invalid)  # views, API and importers show it like any refusal


def test_a_gap_between_two_versions_is_refused_and_listed():
    measles = Disease.objects.create(code="testpox", name="Bệnh thử")
    RuleSet.objects.create(disease=measles, kind="release", valid_from=D(2024, 1, 1), valid_to=D(2024, 6, 30),
                           name="a", source_document="A", values={"min_days": {"value": 4, "source": "A", "confirmed": True}})
    RuleSet.objects.create(disease=measles, kind="release", valid_from=D(2024, 8, 1),
                           name="b", source_document="B", values={"min_days": {"value": 5, "source": "B", "confirmed": True}})
    assert value("testpox", "release", "min_days", D(2024, 6, 30)) == 4
    with pytest.raises(NoRuleInForce):
        in_force("testpox", "release", D(2024, 7, 1))
    assert value("testpox", "release", "min_days", D(2024, 8, 1)) == 5
    assert coverage_gaps("testpox", "release", until=D(2025, 1, 1)) == [(D(2024, 7, 1), D(2024, 7, 31))]


def test_value_refuses_an_unknown_key_unless_given_a_default():
    on = D(2022, 3, 1)
    assert value("covid19", "release", "min_days", on) == 7
    assert value("covid19", "release", "no_such_key", on, default=None) is None
    with pytest.raises(Invalid):
        value("covid19", "release", "no_such_key", on)


def test_the_default_disease_is_data_and_unknown_codes_are_refused():
    assert default_disease().code == "covid19"
    assert in_force(None, "release", D(2022, 3, 1)).disease.code == "covid19"
    with pytest.raises(Invalid):
        in_force("nope", "release", D(2022, 3, 1))


def test_a_new_version_is_seen_at_once_and_other_processes_drop_their_cache(django_capture_on_commit_callbacks):
    on = D(2030, 1, 1)
    assert in_force("covid19", "release", on).source_document.startswith("762/BYT-DP")
    with django_capture_on_commit_callbacks(execute=True):
        RuleSet.objects.create(disease=Disease.objects.get(code="covid19"), kind="release", valid_from=D(2029, 1, 1),
                               name="n", source_document="999/BYT", values={"min_days": {"value": 5, "source": "x", "confirmed": True}})
    assert in_force("covid19", "release", on).source_document == "999/BYT"
    # Another process: its cached version stays until it sees the shared generation move.
    generation = rules._state["generation"]
    rules._local[(Disease.objects.get(code="covid19").pk, "release", on)] = "stale"
    rules._state["generation"] = (generation or 0) - 1
    rules._state["checked"] = 0.0
    assert in_force("covid19", "release", on).source_document == "999/BYT"


def test_cached_lookups_do_not_query_again(django_assert_num_queries):
    on = D(2022, 3, 3)
    in_force("covid19", "release", on)
    with django_assert_num_queries(0):
        for _ in range(50):
            in_force("covid19", "release", on)


def test_every_kind_has_an_english_name_for_the_refusal():
    from diseases.models import KIND_EN

    assert set(RuleKind.values) <= set(KIND_EN)


def test_a_version_with_an_unconfirmed_value_says_so():
    rule = in_force("covid19", "home_care", D(2020, 6, 1))
    assert not rule.is_confirmed and "max_severity" in rule.unconfirmed_keys
    assert "[NF]" in rule.source_of("max_severity")
