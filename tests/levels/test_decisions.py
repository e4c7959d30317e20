"""Computed → proposed (Department of Health) → decided (People's Committee) → published; reasons; the 48-hour rule."""
import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Invalid
from levels import services
from levels.models import LevelDecision

from .conftest import GOOD, WEEK, enter, set_population

NOW = timezone.make_aware(dt.datetime(2022, 2, 14, 9, 0))


@pytest.fixture
def computed(kontum, commune_a, after_cut):
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD, new_cases_per_100k_week=30)
    return services.assess_units([commune_a], WEEK, now=after_cut)[0]


def _decide(personas, d, level, effective, **kw):
    return services.decide(by=personas["leader"], decision=d, level=level, decision_number="12/QĐ-UBND", decision_date=NOW.date(),
                           effective_from=effective, expected_version=d.version, now=NOW, **kw)


def test_it_goes_from_computed_to_published(personas, commune_a, computed):
    assert computed.level == 2
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    assert (d.status, d.computed_level, d.proposed_level) == ("proposed", 2, 2)
    _decide(personas, d, 2, NOW + dt.timedelta(hours=49))
    assert d.status == "decided" and d.decision_number == "12/QĐ-UBND"
    services.publish(by=personas["leader"], decision=d, expected_version=d.version)
    assert d.status == "published"
    assert services.level_in_force(commune_a, NOW) is None  # not yet effective
    in_force, measures = services.measures_in_force(commune_a, NOW + dt.timedelta(days=3))
    assert in_force == d and measures and all(m.level == 2 for m in measures)
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(target_type="levels.leveldecision").count() == 3


def test_it_needs_a_reason_to_override_the_computed_or_proposed_level(personas, commune_a, computed):
    with pytest.raises(Invalid) as exc:
        services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=3)
    assert "lý do" in exc.value.vi
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=3, reason="Ổ dịch mới ở chợ")
    assert d.proposal_reason == "Ổ dịch mới ở chợ"
    with pytest.raises(Invalid):
        _decide(personas, d, 2, NOW + dt.timedelta(hours=49))
    _decide(personas, d, 2, NOW + dt.timedelta(hours=49), reason="Đã khoanh vùng ổ dịch")
    assert d.decided_level == 2 and d.decision_reason


def test_it_requires_48_hours_notice_before_a_level_rises(personas, commune_a, computed):
    prev = WEEK - dt.timedelta(days=7)
    old = LevelDecision.objects.create(unit=commune_a, week_start=prev, proposed_level=1, decided_level=1, status="published",
                                       decision_number="1/QĐ", decision_date=prev, effective_from=NOW - dt.timedelta(days=5))
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    with pytest.raises(Invalid) as exc:
        _decide(personas, d, 2, NOW + dt.timedelta(hours=47, minutes=59))
    assert "48 giờ" in exc.value.vi and "48 hours" in exc.value.en
    _decide(personas, d, 2, NOW + dt.timedelta(hours=48))
    assert d.status == "decided" and old.level == 1


def test_it_allows_lowering_a_level_at_once(personas, commune_a, computed):
    prev = WEEK - dt.timedelta(days=7)
    LevelDecision.objects.create(unit=commune_a, week_start=prev, proposed_level=3, decided_level=3, status="published",
                                 decision_number="1/QĐ", decision_date=prev, effective_from=NOW - dt.timedelta(days=5))
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    _decide(personas, d, 2, NOW)
    assert d.status == "decided"


def test_it_refuses_to_decide_twice_or_to_publish_undecided(personas, commune_a, computed):
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    with pytest.raises(Invalid):
        services.publish(by=personas["leader"], decision=d, expected_version=d.version)
    _decide(personas, d, 2, NOW + dt.timedelta(hours=50))
    with pytest.raises(Invalid):
        _decide(personas, d, 2, NOW + dt.timedelta(hours=50))
    with pytest.raises(Invalid):
        services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)


def test_it_lets_only_the_right_roles_propose_and_decide_through_the_pages(personas, client_for, commune_a, computed):
    url = f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/"
    assert client_for(personas["commune_a"]).post(url + "de-xuat/", {"level": 2}).status_code == 403
    assert client_for(personas["commune_b"]).get(url).status_code == 404  # outsider
    assert client_for(personas["health_dept"]).post(url + "de-xuat/", {"level": 2}).status_code == 302
    d = LevelDecision.objects.get(unit=commune_a, week_start=WEEK)
    assert client_for(personas["health_dept"]).post(url + "quyet-dinh/", {"level": 2}).status_code == 403
    eff = timezone.localtime() + dt.timedelta(hours=49)
    r = client_for(personas["leader"]).post(url + "quyet-dinh/", {
        "level": 2, "decision_number": "15/QĐ-UBND", "decision_date": "14/02/2022",
        "effective_from": eff.strftime("%Y-%m-%dT%H:%M"), "version": d.version})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "decided"
    client_for(personas["leader"]).post(url + "cong-bo/", {"version": d.version})
    d.refresh_from_db()
    assert d.status == "published"
    page = client_for(personas["district_a"]).get(url).content.decode()
    assert "15/QĐ-UBND" in page and "Lịch sử" in page


def test_it_shows_the_error_in_the_panel_when_the_notice_is_too_short(personas, client_for, commune_a, computed):
    LevelDecision.objects.create(unit=commune_a, week_start=WEEK - dt.timedelta(days=7), proposed_level=1, decided_level=1,
                                 status="published", decision_number="1/QĐ", effective_from=timezone.now() - dt.timedelta(days=3))
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    url = f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/quyet-dinh/"
    r = client_for(personas["leader"]).post(url, {
        "level": 2, "decision_number": "15/QĐ-UBND", "decision_date": "14/02/2022",
        "effective_from": (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "version": d.version},
        HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "48 giờ" in r.content.decode()


def test_it_proposes_decides_and_publishes_a_whole_week_in_a_few_clicks(personas, client_for, kontum, commune_a, commune_a2, after_cut):
    for c in (commune_a, commune_a2):
        set_population(c, 10_000)
        enter(c, **GOOD, new_cases_per_100k_week=30)
    services.assess_province(kontum, WEEK, now=after_cut)
    LevelDecision.objects.create(unit=commune_a2, week_start=WEEK - dt.timedelta(days=7), proposed_level=1, decided_level=1,
                                 status="published", decision_number="1/QĐ", effective_from=timezone.now() - dt.timedelta(days=3))
    health, leader = client_for(personas["health_dept"]), client_for(personas["leader"])
    assert client_for(personas["commune_a"]).post("/levels/de-xuat-ca-tuan/", {"week": WEEK.isoformat()}).status_code == 403
    health.post("/levels/de-xuat-ca-tuan/", {"week": WEEK.isoformat()})
    assert set(LevelDecision.objects.filter(week_start=WEEK).values_list("unit_id", flat=True)) == {commune_a.id, commune_a2.id}
    page = leader.get(f"/levels/?week={WEEK.isoformat()}").content.decode()
    assert 'id="decide-week"' in page
    # Effective in 2 hours: commune A (no level in force) is decided; A2 would rise from 1 to 2 and is refused (48 h).
    r = leader.post("/levels/quyet-dinh-ca-tuan/", {
        "week": WEEK.isoformat(), "decision_number": "30/QĐ-UBND", "decision_date": "14/02/2022",
        "effective_from": (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}, follow=True)
    html = r.content.decode()
    assert "48 giờ" in html
    assert LevelDecision.objects.get(unit=commune_a, week_start=WEEK).status == "published"
    assert LevelDecision.objects.get(unit=commune_a2, week_start=WEEK).status == "proposed"


def test_the_decide_and_publish_pages_refuse_in_the_panel_and_404_without_a_decision(personas, client_for, commune_a, computed):
    url = f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/"
    leader = client_for(personas["leader"])
    assert leader.post(url + "quyet-dinh/", {"level": 2}).status_code == 404  # nothing proposed yet
    assert leader.post(url + "cong-bo/", {"version": 1}).status_code == 404
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=2)
    eff = (timezone.localtime() + dt.timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M")
    r = leader.post(url + "quyet-dinh/", {"level": 2, "decision_number": "15/QĐ-UBND", "decision_date": "31/02/2022",
                                          "effective_from": eff, "version": d.version}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400  # the bad date is a ParseError, said in the panel
    r = leader.post(url + "cong-bo/", {"version": d.version + 5}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    d.refresh_from_db()
    assert d.status == "proposed"
