"""Each "nobody left unreachable" rule, per grouping, and the province counts for leadership."""
import datetime as dt

import pytest
from django.utils import timezone

from cases import board, services
from cases.models import Alert, Case
from facilities.models import Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("old_structure")]


@pytest.fixture
def team_a(commune_a):
    return Team.objects.create(name="Tổ chăm sóc F0 Quang Trung", kind="care_team", commune=commune_a)


def ids(user, metric, now=None):
    return set(board.metric_cases(user, metric, now=now).values_list("pk", flat=True))


def test_it_lists_home_patients_with_no_check_in_12_hours(open_case, personas, team_a):
    now = timezone.now()
    fresh, stale, never = open_case(team=team_a), open_case(full_name="Trần Thị Bình", team=team_a), open_case(full_name="Lê Văn Cường", team=team_a)
    Case.objects.filter(pk__in=[fresh.pk, stale.pk, never.pk]).update(created_at=now - dt.timedelta(days=2))
    services.record_check(by=personas["care_a"], case=fresh, data={"spo2": 98}, taken_at=now - dt.timedelta(hours=11, minutes=59))
    services.record_check(by=personas["care_a"], case=stale, data={"spo2": 98}, taken_at=now - dt.timedelta(hours=12, minutes=1))
    assert ids(personas["care_a"], "no_check", now) == {stale.pk, never.pk}


def test_it_lists_alerts_not_acknowledged_within_an_hour(open_case, personas):
    now = timezone.now()
    old, recent, done = open_case(), open_case(full_name="Trần Thị Bình"), open_case(full_name="Lê Văn Cường")
    for c in (old, recent, done):
        services.record_check(by=personas["care_a"], case=c, data={"spo2": 90})
    Alert.objects.filter(case=old).update(raised_at=now - dt.timedelta(minutes=61))
    Alert.objects.filter(case=recent).update(raised_at=now - dt.timedelta(minutes=59))
    Alert.objects.filter(case=done).update(raised_at=now - dt.timedelta(hours=3))
    services.acknowledge_alert(by=personas["care_a"], alert=Alert.objects.get(case=done))
    assert ids(personas["care_a"], "unacknowledged", now) == {old.pk}


def test_it_lists_patients_with_no_team_and_no_medicine_after_24_hours(open_case, personas, team_a):
    now = timezone.now()
    no_team = open_case()
    given = open_case(full_name="Trần Thị Bình", team=team_a)
    new = open_case(full_name="Lê Văn Cường", team=team_a)
    Case.objects.filter(pk__in=[no_team.pk, given.pk]).update(created_at=now - dt.timedelta(hours=25))
    services.dispense(by=personas["care_a"], case=given, item="package_a", quantity=1)
    assert ids(personas["care_a"], "no_team", now) == {no_team.pk}
    assert ids(personas["care_a"], "no_medicine", now) == {no_team.pk}
    assert new.pk not in ids(personas["care_a"], "no_medicine", now)


def test_it_lists_release_tests_due_today(open_case, personas):
    today = timezone.localdate()
    due = open_case(confirmed_on=today - dt.timedelta(days=7))
    not_yet = open_case(full_name="Trần Thị Bình", confirmed_on=today - dt.timedelta(days=6))
    assert due.pk in ids(personas["care_a"], "release_due") and not_yet.pk not in ids(personas["care_a"], "release_due")


def test_it_counts_per_team_commune_and_district_within_the_jurisdiction(open_case, personas, team_a, commune_b):
    from tests.conftest import make_person

    open_case(team=team_a)
    open_case(full_name="Trần Thị Bình")
    other = services.open_case(by=personas["commune_b"], person=make_person(commune_b, full_name="Y Bhăm"), confirmed_on=dt.date(2022, 2, 5))
    by_team = board.board(personas["care_a"], "team")
    assert {r["label"]: r["no_team"] for r in by_team["rows"]} == {"Tổ chăm sóc F0 Quang Trung": 0, "—": 1}
    assert board.board(personas["commune_a"], "commune")["totals"]["active"] == 2
    province = board.board(personas["leader"], "district")
    assert province["totals"]["active"] == 3 and len(province["rows"]) == 2
    assert other.pk not in ids(personas["commune_a"], "no_team")


def test_it_shows_leadership_the_counts_but_not_the_patients(open_case, personas, client_for):
    open_case()
    page = client_for(personas["leader"]).get("/cases/khong-lien-lac/?metric=no_team").content.decode()
    assert "Chưa có tổ chăm sóc" in page and "Nguyễn Văn An" not in page
    page = client_for(personas["care_a"]).get("/cases/khong-lien-lac/?metric=no_team").content.decode()
    assert "Nguyễn Văn An" in page
