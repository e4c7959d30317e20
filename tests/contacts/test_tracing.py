"""Tracing contacts of a case: rule applied on the exposure date, refusals, F1 → F0 conversion keeping the chain."""
import datetime as dt

import pytest

from contacts import chains, services
from contacts.models import Contact
from core.errors import Invalid

D = dt.date


def test_it_stores_the_schedule_of_the_rule_in_force_on_the_last_exposure(personas, commune_a, person_factory, open_case):
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 22))
    c = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Vợ"),
                             first_exposure_on=D(2022, 2, 18), last_exposure_on=D(2022, 2, 21), fully_vaccinated=True,
                             last_dose_on=D(2021, 11, 1))
    assert "762/BYT-DP" in c.rule_set.source_document
    assert c.protected and c.quarantine_days == 5 and c.quarantine_end == D(2022, 2, 26)
    assert c.test_dates == ["2022-02-26"] and c.follow_up_end == D(2022, 3, 3)
    # Correcting the last exposure to the day before moves it under 10696/BYT-MT.
    services.update_contact(by=personas["commune_a"], contact=c, data={"last_exposure_on": D(2022, 2, 20)}, expected_version=c.version)
    c.refresh_from_db()
    assert "10696/BYT-MT" in c.rule_set.source_document and c.quarantine_days == 7 and c.test_dates == ["2022-02-21", "2022-02-27"]


def test_it_refuses_an_exposure_after_the_contacts_own_confirmation(personas, commune_a, person_factory, open_case):
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 10))
    already = person_factory(commune_a, full_name="Đã Là F0")
    open_case(already, D(2022, 2, 5))
    with pytest.raises(Invalid) as exc:
        services.add_contact(by=personas["commune_a"], source_case=f0, person=already, last_exposure_on=D(2022, 2, 8))
    assert "đã là F0" in exc.value.vi and "already a confirmed case" in exc.value.en
    assert not Contact.objects.exists()
    with pytest.raises(Invalid):
        services.add_contact(by=personas["commune_a"], source_case=f0, person=f0.person, last_exposure_on=D(2022, 2, 8))


def test_it_converts_a_contact_into_a_case_in_one_step_keeping_the_chain(personas, commune_a, person_factory, open_case):
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 1))
    c = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Con"),
                             last_exposure_on=D(2022, 2, 1))
    case = services.convert_to_case(by=personas["commune_a"], contact=c, confirmed_on=D(2022, 2, 4))
    c.refresh_from_db()
    assert c.status == Contact.Status.CONVERTED and c.converted_case == case
    assert case.detected_in == "quarantine"  # confirmed during the quarantine period
    assert case.source_contact_id == c.pk
    grandchild = services.add_contact(by=personas["commune_a"], source_case=case, person=person_factory(commune_a, full_name="Cháu"),
                                      last_exposure_on=D(2022, 2, 3))
    chain = chains.chain_of(f0.pk)
    assert chain.generations == {f0.pk: 0, case.pk: 1}
    assert chain.case_edges == [(f0.pk, case.pk, c.pk)]
    assert [x["id"] for x in chain.contacts] == [grandchild.pk]
    assert chains.chain_of(case.pk).generations == {f0.pk: -1, case.pk: 0}
    with pytest.raises(Invalid):
        services.convert_to_case(by=personas["commune_a"], contact=c, confirmed_on=D(2022, 2, 4))


def test_it_refuses_a_link_that_would_close_a_cycle(personas, commune_a, person_factory, open_case):
    a = open_case(person_factory(commune_a, full_name="An"), D(2022, 2, 1))
    b = open_case(person_factory(commune_a, full_name="Bình"), D(2022, 2, 3))
    c = open_case(person_factory(commune_a, full_name="Cúc"), D(2022, 2, 5))
    services.link_cases(by=personas["commune_a"], infector_case=a, infected_case=b, last_exposure_on=D(2022, 1, 30))
    services.link_cases(by=personas["commune_a"], infector_case=b, infected_case=c, last_exposure_on=D(2022, 2, 2))
    with pytest.raises(Invalid) as exc:
        services.link_cases(by=personas["commune_a"], infector_case=c, infected_case=a, last_exposure_on=D(2022, 1, 30))
    assert "vòng lặp" in exc.value.vi and "cycle" in exc.value.en
    assert f"F0 #{a.pk} An → F0 #{b.pk} Bình → F0 #{c.pk} Cúc" in exc.value.vi
    assert Contact.objects.count() == 2
    assert chains.chain_of(a.pk).generations == {a.pk: 0, b.pk: 1, c.pk: 2}
    assert chains.chain_of(c.pk).generations == {a.pk: -2, b.pk: -1, c.pk: 0}


def test_it_lists_contacts_left_unmonitored(personas, commune_a, person_factory, open_case, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2022, 2, 10))
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 5))
    checked = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Có Theo Dõi"),
                                   last_exposure_on=D(2022, 2, 5))
    forgotten = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Bị Quên"),
                                     last_exposure_on=D(2022, 2, 5))
    services.record_check(by=personas["commune_a"], contact=checked, day=D(2022, 2, 9))
    with pytest.raises(Invalid):
        services.record_check(by=personas["commune_a"], contact=checked, day=D(2022, 2, 9))
    assert list(services.unmonitored(Contact.objects.all(), D(2022, 2, 10))) == [forgotten]
    assert services.release_finished(D(2022, 3, 5)) == 0  # 14 days + 14 days of monitoring (10696)
    assert services.release_finished(D(2022, 3, 6)) == 2


def test_it_traces_f2_only_while_the_rules_of_the_time_used_it(personas, commune_a, person_factory, open_case, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2022, 3, 10))
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2021, 12, 20))
    f1 = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="F1"),
                              last_exposure_on=D(2021, 12, 19))
    f2 = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="F2"),
                              last_exposure_on=D(2021, 12, 20), generation="F2", source_contact=f1)
    assert f2.generation == "F2" and f2.source_contact == f1
    later = open_case(person_factory(commune_a, full_name="Ca Sau"), D(2022, 3, 1))
    g1 = services.add_contact(by=personas["commune_a"], source_case=later, person=person_factory(commune_a, full_name="G1"),
                              last_exposure_on=D(2022, 2, 28))
    with pytest.raises(Invalid) as exc:
        services.add_contact(by=personas["commune_a"], source_case=later, person=person_factory(commune_a, full_name="G2"),
                             last_exposure_on=D(2022, 3, 1), generation="F2", source_contact=g1)
    assert "không theo dõi F2" in exc.value.vi and "762/BYT-DP" in exc.value.vi


def test_it_lists_contacts_in_a_constant_number_of_queries(client_for, personas, commune_a, person_factory, open_case,
                                                          django_assert_max_num_queries):
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 10))
    for i in range(15):
        services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name=f"Người {i}"),
                             last_exposure_on=D(2022, 2, 9))
    c = client_for(personas["commune_a"])
    with django_assert_max_num_queries(12):
        assert c.get("/contacts/?xem=all").status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(f"/contacts/ca/{f0.pk}/").status_code == 200


def test_it_lists_the_contacts_due_for_a_test_on_a_day(personas, commune_a, person_factory, open_case, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2022, 3, 10))
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn"), D(2022, 2, 22))
    vaccinated = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Đủ Mũi"),
                                      last_exposure_on=D(2022, 2, 21), fully_vaccinated=True)
    not_vaccinated = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Chưa Tiêm"),
                                          last_exposure_on=D(2022, 2, 21), fully_vaccinated=False)
    assert list(services.tests_due(Contact.objects.all(), D(2022, 2, 26))) == [vaccinated]  # 762: day 5
    assert list(services.tests_due(Contact.objects.all(), D(2022, 2, 28))) == [not_vaccinated]  # 762: day 7
    assert not services.tests_due(Contact.objects.all(), D(2022, 2, 27)).exists()
