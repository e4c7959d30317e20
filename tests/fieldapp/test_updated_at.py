"""`updated_at` moves on every write path a sync client depends on, bulk `QuerySet.update()`s and merges included
(update() skips auto_now): otherwise an incremental download, or `?updated_since=`, misses the change."""
import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from contacts.models import Contact
from people.models import Person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=3)


def age(*querysets):
    for qs in querysets:
        qs.update(updated_at=LONG_AGO)


def moved(obj) -> bool:
    obj.refresh_from_db()
    return obj.updated_at > LONG_AGO + dt.timedelta(days=1)


def test_a_versioned_save_moves_it(home_case, personas):
    from people import services

    case = home_case()
    person = case.person
    age(Person.objects.filter(pk=person.pk))
    person.refresh_from_db()
    services.update_person(by=personas["commune_a"], person=person, data={"phone": "0912000111"}, expected_version=person.version)
    assert moved(person)


def test_a_merge_moves_the_retired_record_and_every_record_moved_to_the_kept_one(home_case, contact_of, personas, commune_a):
    from people import services

    case = home_case()
    duplicate = case.person
    keep = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    source = home_case(full_name="Lê Văn Cường")
    contact = Contact.objects.create(
        person=duplicate, source_case=source, first_exposure_on=dt.date.today(), last_exposure_on=dt.date.today(),
        rule_set=contact_of(source).rule_set, follow_up_end=dt.date.today() + dt.timedelta(days=7))
    age(Person.objects.all(), Case.objects.all(), Contact.objects.all())
    services.merge_people(by=personas["commune_a"], keep=keep, duplicate=duplicate)
    assert moved(duplicate) and moved(case) and moved(contact)
    assert case.person_id == keep.pk


def test_pseudonymisation_moves_it(personas, commune_a):
    from people import services

    person = make_person(commune_a)
    age(Person.objects.all())
    services.pseudonymise_people(by=personas["admin"], ids=[person.pk])
    assert moved(person)


def test_the_daily_release_of_contacts_moves_it(home_case, contact_of):
    from contacts import services

    contact = contact_of(home_case())
    age(Contact.objects.all())
    services.release_finished(on=contact.follow_up_end + dt.timedelta(days=1))
    contact.refresh_from_db()
    assert contact.status == "released" and moved(contact)


def test_a_conversion_moves_the_persons_other_open_contacts(home_case, contact_of, personas):
    from contacts import services

    first = contact_of(home_case())
    other = Contact.objects.create(
        person=first.person, source_case=home_case(full_name="Lê Văn Cường"), first_exposure_on=first.first_exposure_on,
        last_exposure_on=first.last_exposure_on, rule_set=first.rule_set, follow_up_end=first.follow_up_end)
    age(Contact.objects.all())
    first.refresh_from_db()
    services.convert_to_case(by=personas["commune_a"], contact=first, confirmed_on=dt.date.today())
    other.refresh_from_db()
    assert other.status == "released" and moved(other) and moved(first)


def test_an_admission_moves_the_case(home_case, personas, kontum):
    from cases import services
    from facilities.models import Facility

    case = home_case()
    hospital = Facility.objects.create(name="Bệnh viện Đa khoa tỉnh Kon Tum", kind="provincial_hospital", unit=kontum)
    age(Case.objects.all())
    services.admit(by=personas["commune_a"], case=case, facility=hospital, bed_type="ordinary")
    assert moved(case)
