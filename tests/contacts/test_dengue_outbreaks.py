"""Dengue (§2): a cluster of cases in one village becomes an outbreak, vector control is recorded against it, and it
closes only after the quiet period of the dengue outbreak rule (values read from the rule base, never from code)."""
import datetime as dt

import pytest

from contacts import services
from contacts.models import Outbreak, VectorControlAction
from core.errors import Invalid

D = dt.date


pytestmark = pytest.mark.usefixtures("old_structure")


@pytest.fixture
def dengue(db):
    """The shipped dengue pack (rule base): case definition, isolation, outbreak rule with cluster values."""
    from diseases.models import Disease
    from diseases.packs import install_missing

    install_missing("dengue")
    return Disease.objects.get(code="dengue")


@pytest.fixture
def village(commune_a):
    from geo.models import Village

    return Village.objects.create(commune=commune_a, name="Tổ 5", kind="to_dan_pho")


@pytest.fixture
def dengue_case(personas, person_factory, dengue):
    from cases.services import open_case

    def make(name, onset, commune, village=None):
        person = person_factory(commune, full_name=name)
        if village is not None:
            person.village = village
            person.save(update_fields=["village"])
        return open_case(by=personas["commune_a"], person=person, confirmed_on=onset + dt.timedelta(days=2),
                         symptom_onset=onset, disease="dengue", test_kind="rt_pcr")

    return make


def test_a_cluster_in_a_village_becomes_an_outbreak_and_closes_after_the_quiet_period(personas, commune_a, village, dengue_case):
    first = dengue_case("Ca 1", D(2025, 7, 1), commune_a, village)
    # One case is not a cluster.
    assert services.detect_clusters(disease="dengue", on=D(2025, 7, 3))["opened"] == []
    # A second case 5 days later in the same village (within the rule's 7 days): an outbreak.
    second = dengue_case("Ca 2", D(2025, 7, 6), commune_a, village)
    # A case elsewhere in the commune (no village) and a case in the same village too long before stay out.
    dengue_case("Ngoài thôn", D(2025, 7, 5), commune_a)
    result = services.detect_clusters(disease="dengue", on=D(2025, 7, 8))
    [ob] = result["opened"]
    assert ob.detected and ob.disease.code == "dengue" and ob.village == village and ob.commune == commune_a
    assert set(ob.cases.all()) == {first, second} and ob.started_on == D(2025, 7, 1)
    assert result["rule"].value("close_after_days_without_case") == 14 and "close_after_days_without_case" in result["rule"].unconfirmed_keys
    # Running again opens nothing new; a third case joins the active outbreak.
    assert services.detect_clusters(disease="dengue", on=D(2025, 7, 8))["opened"] == []
    third = dengue_case("Ca 3", D(2025, 7, 10), commune_a, village)
    assert services.detect_clusters(disease="dengue", on=D(2025, 7, 11))["extended"] == [ob]
    assert ob.cases.count() == 3 and third in ob.cases.all()

    # Vector control: larval source reduction, then spraying, with coverage.
    services.record_vector_action(by=personas["commune_a"], outbreak=ob, kind="larval", started_on=D(2025, 7, 8),
                                  ended_on=D(2025, 7, 9), households_targeted=120, households_covered=114)
    services.record_vector_action(by=personas["commune_a"], outbreak=ob, kind="spraying", started_on=D(2025, 7, 10),
                                  ended_on=D(2025, 7, 10), households_targeted=120, households_covered=120)
    assert [round(a.coverage, 2) for a in VectorControlAction.objects.filter(outbreak=ob)] == [0.95, 1.0]
    with pytest.raises(Invalid):
        services.record_vector_action(by=personas["commune_a"], outbreak=ob, kind="spraying", started_on=D(2025, 7, 10),
                                      ended_on=D(2025, 7, 10), households_targeted=100, households_covered=101)

    # Quiet period: 14 days from the last case's onset (10/07) → closable on 24/07, not a day earlier.
    state = services.closing_state(ob, D(2025, 7, 23))
    assert state["last_case_on"] == D(2025, 7, 10) and state["days"] == 14 and not state["closable"]
    assert services.close_quiet_outbreaks(D(2025, 7, 23)) == 0
    with pytest.raises(Invalid):
        services.close_outbreak(by=personas["commune_a"], outbreak=ob, on=D(2025, 7, 23))
    assert services.close_quiet_outbreaks(D(2025, 7, 24)) == 1
    ob.refresh_from_db()
    assert ob.status == Outbreak.Status.CLOSED and ob.closed_on == D(2025, 7, 24)
    assert ob.closing_rule.disease.code == "dengue"


def test_the_quiet_period_is_the_rules_value(personas, commune_a, village, dengue_case, dengue):
    """A new rule version with another number of days changes the closing date; no constant in the code."""
    from diseases.models import RuleSet
    from diseases.rules import rule_in_force

    rule = rule_in_force(disease="dengue", kind="outbreak", on=D(2025, 1, 1))
    RuleSet.objects.create(disease=dengue, kind="outbreak", valid_from=D(2025, 1, 1), name="test 21",
                           source_document="test", values={**rule.values, "close_after_days_without_case": {"value": 21}})
    dengue_case("Ca 1", D(2025, 7, 1), commune_a, village)
    dengue_case("Ca 2", D(2025, 7, 2), commune_a, village)
    [ob] = services.detect_clusters(disease="dengue", on=D(2025, 7, 4))["opened"]
    assert services.closing_state(ob, D(2025, 7, 22))["closable_on"] == D(2025, 7, 23)


def test_covid_outbreaks_are_not_detected_from_clusters(personas, commune_a, village, person_factory, open_case):
    """The COVID-19 outbreak rule has no cluster values: detection leaves COVID-19 alone."""
    for name in ("A", "B", "C"):
        p = person_factory(commune_a, full_name=name)
        p.village = village
        p.save(update_fields=["village"])
        open_case(p, D(2022, 2, 1))
    assert services.detect_clusters(disease="covid19", on=D(2022, 2, 2))["opened"] == []


def test_the_outbreak_page_records_vector_control(personas, commune_a, village, dengue_case, client_for):
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    dengue_case("Ca 1", today - dt.timedelta(days=5), commune_a, village)
    dengue_case("Ca 2", today - dt.timedelta(days=4), commune_a, village)
    [ob] = services.detect_clusters(disease="dengue", on=today)["opened"]
    c = client_for(personas["commune_a"])
    url = reverse("contacts:outbreak", args=[ob.pk])
    day = today.strftime("%d/%m/%Y")
    c.post(url, {"action": "vector", "kind": "larval", "started_on": day, "ended_on": day, "households_targeted": "50",
                 "households_covered": "45"})
    page = c.get(url).content.decode()
    assert "Diệt lăng quăng/bọ gậy" in page and "90%" in page and "Sốt xuất huyết Dengue" in page
    # Bad input: a clear message, nothing recorded.
    c.post(url, {"action": "vector", "kind": "spraying", "started_on": day, "ended_on": day, "households_targeted": "50",
                 "households_covered": "60"})
    assert VectorControlAction.objects.filter(outbreak=ob).count() == 1
