"""The "nobody left unreachable" board and the checks due today judge each case by its own disease's monitoring rule
(COVID-19: a check every 12 h, 2 a day; dengue: every 24 h, 1 a day), in one query whatever the number of diseases."""
import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from cases import board, services
from cases.models import Case
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("old_structure")]


@pytest.fixture
def two_diseases(open_case, personas, commune_a):
    """A COVID-19 case and a dengue case, both last checked 15 h ago, and one of each last checked 25 h ago."""
    from diseases.packs import install_missing

    install_missing("dengue")
    now = timezone.now()
    today = timezone.localdate()

    def dengue(name):
        person = make_person(commune_a, full_name=name, birth_year=1990, phone="0905000222")
        return services.open_case(by=personas["commune_a"], person=person, disease="dengue", test_kind="ns1",
                                  confirmed_on=today - dt.timedelta(days=2))

    out = {"covid_15": open_case(full_name="Cô Vít Mười Lăm", confirmed_on=today - dt.timedelta(days=2)),
           "covid_25": open_case(full_name="Cô Vít Hai Lăm", confirmed_on=today - dt.timedelta(days=2)),
           "dengue_15": dengue("Sốt Xuất Mười Lăm"), "dengue_25": dengue("Sốt Xuất Hai Lăm")}
    Case.objects.filter(pk__in=[c.pk for c in out.values()]).update(created_at=now - dt.timedelta(days=2))
    for key, case in out.items():
        hours = int(key.split("_")[1])
        services.record_check(by=personas["care_a"], case=case, data={"temperature": 37}, taken_at=now - dt.timedelta(hours=hours))
    out["now"] = now
    return out


def test_no_check_uses_each_case_disease_cadence(two_diseases, personas):
    d = two_diseases
    late = set(board.metric_cases(personas["care_a"], "no_check", now=d["now"]).values_list("pk", flat=True))
    # COVID-19 (12 h): both late. Dengue (24 h): only the one 25 h without a check.
    assert late == {d["covid_15"].pk, d["covid_25"].pk, d["dengue_25"].pk}
    counts = board.board(personas["care_a"], "commune", now=d["now"])
    assert counts["totals"]["no_check"] == 3 and counts["totals"]["active"] == 4
    hours = {e["disease"].code: e["no_check_hours"] for e in counts["limits"]["diseases"]}
    assert (hours["covid19"], hours["dengue"]) == (12, 24)


def test_the_board_page_names_each_disease_limit_in_a_bounded_number_of_queries(two_diseases, personas, client_for,
                                                                                   django_assert_max_num_queries):
    c = client_for(personas["commune_a"])
    c.get("/cases/khong-lien-lac/")  # warms the per-process rule cache, as on a running server
    with django_assert_max_num_queries(14):
        page = c.get("/cases/khong-lien-lac/?metric=no_check").content.decode()
    assert "Không có phiếu theo dõi đúng hạn" in page
    assert "không có phiếu trong 24 giờ" in page and "không có phiếu trong 12 giờ" in page
    assert "Sốt Xuất Hai Lăm" in page and "Sốt Xuất Mười Lăm" not in page


def test_the_per_disease_condition_is_one_query(two_diseases, personas, django_assert_num_queries):
    lim = board.limits(timezone.localdate())  # rules cached
    with django_assert_num_queries(1):
        list(board.active_home(personas["care_a"]).filter(board.metric_filter("no_check", two_diseases["now"], lim)))


def test_checks_due_today_follow_each_disease_checks_per_day(two_diseases, personas):
    """A check due 24/checks_per_day hours after the last one, before midnight: COVID-19 2 a day (12 h), dengue 1 a day."""
    d = two_diseases
    lim = board.limits(timezone.localdate(d["now"]))
    end = dt.datetime.combine(timezone.localdate(d["now"]) + dt.timedelta(days=1), dt.time.min,
                              tzinfo=timezone.get_current_timezone())
    # A dengue case checked 23 h before midnight is not due today; a COVID-19 case checked then is.
    Case.objects.filter(pk__in=[d["dengue_15"].pk, d["covid_15"].pk]).update(last_check_at=end - dt.timedelta(hours=23))
    due = set(Case.objects.filter(board.due_today_q(d["now"], lim)).filter(
        Q(pk__in=[d["dengue_15"].pk, d["covid_15"].pk])).values_list("pk", flat=True))
    assert due == {d["covid_15"].pk}
