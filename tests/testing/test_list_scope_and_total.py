"""The tests list: the tests of the user's communes only (filtered by commune ids), and its cached total follows
every new test and every person who moves (core.dataversion)."""
from people import services as people_services
from testing import services
from testing.models import TestKind

from .test_pages_and_import import D


def listed(client, url="/testing/"):
    page = client.get(url).context["page_obj"]
    return page.paginator.count, sorted(t.sample_code for t in page.object_list)


def test_each_user_lists_the_tests_of_his_area_and_the_total_follows_new_tests(
        client_for, personas, commune_a, commune_b, person_factory):
    a, b = person_factory(commune_a), person_factory(commune_b)
    services.record_test(by=personas["lab"], person=a, kind=TestKind.RT_PCR, sample_code="A-1", taken_on=D)
    services.record_test(by=personas["lab"], person=b, kind=TestKind.RT_PCR, sample_code="B-1", taken_on=D)
    district, commune, province = (client_for(personas[k]) for k in ("district_a", "commune_b", "health_dept"))
    assert listed(district) == (1, ["A-1"])
    assert listed(commune) == (1, ["B-1"])
    assert listed(province) == (2, ["A-1", "B-1"])
    services.record_test(by=personas["lab"], person=a, kind=TestKind.RAPID_ANTIGEN, sample_code="A-2", taken_on=D)
    assert listed(district) == (2, ["A-1", "A-2"])  # the cached total moved with the new test
    assert listed(province) == (3, ["A-1", "A-2", "B-1"])
    assert listed(district, "/testing/?q=A-2") == (1, ["A-2"])  # a filtered list is counted, not cached


def test_the_total_follows_a_person_who_moves_to_another_district(client_for, personas, commune_a, commune_b,
                                                                  person_factory):
    a = person_factory(commune_a)
    services.record_test(by=personas["lab"], person=a, kind=TestKind.RT_PCR, sample_code="A-1", taken_on=D)
    district = client_for(personas["district_a"])
    assert listed(district) == (1, ["A-1"])
    people_services.update_person(by=personas["health_dept"], person=a, data={"commune": commune_b}, expected_version=a.version)
    assert listed(district) == (0, [])
    assert listed(client_for(personas["commune_b"])) == (1, ["A-1"])
