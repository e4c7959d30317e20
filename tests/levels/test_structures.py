"""Levels on both structures (issue #12 §1): the set-based assessment gives the levels the per-unit-path code gave,
weeks are assessed on the units of their time on either installation structure, and the map, its unit panel and
the API show a week on either structure — a level on the other structure's map is derived ("cao nhất trong N xã
cũ") and never decided on."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import Invalid
from geo import areas
from geo.models import AdministrativeUnit, Level, UnitCorrespondence
from levels import services, sources
from levels.models import Assessment, LevelDecision

from . import reference_sources
from .conftest import GOOD, WEEK, add_cases, enter, set_population

WEEK25 = dt.date(2025, 9, 8)  # a Monday after 01/07/2025: assessed on the 2025 communes


def _successor(old):
    return old.successor_links.get(is_default=True).new_unit


@pytest.fixture
def divided(commune_b):
    """Commune B divided: a part of it went to a second 2025 commune (is_default=False), as the correspondence does
    for divided communes (Kon Tum's own were merged whole)."""
    default = _successor(commune_b)
    other = (AdministrativeUnit.objects.filter(parent=default.parent, level=Level.COMMUNE).exclude(pk=default.pk)
             .order_by("code").first())
    UnitCorrespondence.objects.create(old_unit=commune_b, new_unit=other, is_default=False)
    return commune_b


def _vaccinate(commune, n, *, full, born=1960, on=dt.date(2021, 9, 1), high_risk=0):
    from people.models import Person
    from vaccination.models import PersonVaccination

    people = Person.objects.bulk_create([
        Person(commune=commune, full_name=f"Người {i}", name_folded=f"nguoi {i}", birth_year=born, sex="F",
               comorbidities=["tăng huyết áp"] if i < high_risk else []) for i in range(n)])
    PersonVaccination.objects.bulk_create([
        PersonVaccination(person_id=p.pk, commune=commune, birth_date=dt.date(born, 7, 1), first_on=on,
                          primary_done_on=on + dt.timedelta(days=28) if i < full else None, dose_count=2)
        for i, p in enumerate(people)])


def _mixed_data(kontum, divided):
    """Population of two years and both structures, cases of every kind, doses, high-risk people, teams, beds,
    admissions, entered values and a published level, over Kon Tum's communes and their 2025 successors."""
    from cases.models import Admission, Case
    from facilities.models import BedCapacity, Facility, Team

    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    for i, c in enumerate(communes[:60]):
        set_population(c, 3_000 + 250 * i, year=2021)
        if i % 5 == 0:
            set_population(c, 3_500 + 250 * i, year=2024)  # set_population replaces: this commune has 2024 only
    news = [_successor(c) for c in communes[:3]]
    set_population(news[0], 12_345, year=2024)  # a 2025 commune with estimates of its own
    for i, c in enumerate(communes[:40]):
        for week in (WEEK, WEEK25):
            add_cases(c, i % 4, week + dt.timedelta(days=2))
            add_cases(c, i % 3, week + dt.timedelta(days=3), detected_in="quarantine")
        if i % 7 == 0:
            add_cases(c, 2, WEEK + dt.timedelta(days=1), on_oxygen=True)
            add_cases(c, 1, WEEK25 + dt.timedelta(days=1), died_on=WEEK25 + dt.timedelta(days=4))
        _vaccinate(c, 10 + i, full=5 + i // 2, high_risk=3 if i % 2 else 0)
        if i % 3 == 0:
            Team.objects.create(name=f"Trạm lưu động {i}", kind="mobile_station", commune=c)
        if i % 4 == 0:
            Team.objects.create(name=f"Tổ chăm sóc {i}", kind="care_team", commune=c)
    add_cases(news[1], 5, WEEK25 + dt.timedelta(days=1))  # recorded on a 2025 commune
    _vaccinate(news[1], 20, full=15, high_risk=4, on=dt.date(2025, 8, 1))
    hospital = Facility.objects.create(name="Bệnh viện tỉnh", kind="provincial_hospital", unit=communes[0].parent)
    BedCapacity.objects.create(facility=hospital, bed_type="oxygen", total=40)
    BedCapacity.objects.create(facility=hospital, bed_type="icu", total=6)
    case = Case.objects.filter(commune=communes[0]).first()
    Admission.objects.create(case=case, facility=hospital, bed_type="oxygen",
                             admitted_at=timezone.make_aware(dt.datetime(2022, 2, 9, 8)))
    enter(communes[1], **GOOD)
    enter(communes[2], full_pct=50, new_cases_per_100k_week=800)
    enter(news[2], week=WEEK25, **GOOD)
    LevelDecision.objects.create(unit=communes[3], week_start=WEEK - dt.timedelta(days=7), proposed_level=3,
                                 decided_level=3, status="published", effective_from=timezone.make_aware(dt.datetime(2022, 2, 1)))


def _stored(rows):
    return {a.unit_id: (a.level, a.population, a.values, a.missing, a.steps, a.origins) for a in rows}


@pytest.mark.django_db
def test_the_set_based_assessment_gives_the_levels_of_the_per_unit_code(kontum, divided, monkeypatch):
    _mixed_data(kontum, divided)
    now = timezone.now()
    qn = areas.installation_province()  # Quảng Ngãi, 2025, with the former Kon Tum
    runs = {
        "Kon Tum 2022, province run": (list(AdministrativeUnit.objects.filter(path__startswith="/62/")), WEEK),
        "Quảng Ngãi 2025, province run": (list(AdministrativeUnit.objects.filter(path__startswith=qn.path)), WEEK25),
        "a few 2025 communes": ([_successor(divided), *AdministrativeUnit.objects.filter(parent=qn).order_by("code")[:4]], WEEK25),
        "many scattered 2025 communes (by province)": (list(AdministrativeUnit.objects.filter(
            parent=qn, predecessor_links__old_unit__path__startswith="/62/").distinct().order_by("code")[:30]), WEEK25),
        "a few 2022 communes and a district": (list(AdministrativeUnit.objects.filter(path__startswith="/62/608/")[:6]), WEEK),
        # Every commune there is (as the country's run): the sources read "every commune", not a list of ids.
        "every 2025 commune": (list(AdministrativeUnit.objects.filter(structure=areas.FROM_2025, level="commune")), WEEK25),
    }
    for label, (units, week) in runs.items():
        fast = _stored(services.assess_units(units, week, now=now))
        with monkeypatch.context() as m:
            m.setattr(sources, "collect", reference_sources.collect)
            reference = _stored(services.assess_units(units, week, now=now))
        assert fast == reference, label
        levels = [v[0] for v in fast.values()]
        assert any(levels) and len(set(levels)) > 1, label  # a data set that tells levels apart
    assert Assessment.objects.filter(week_start=WEEK25, unit__structure=areas.PRE_2025).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("installation", ["2025", "pre2025"])
def test_each_week_is_assessed_on_the_units_of_its_time_on_either_installation(settings, kontum, commune_a, installation):
    settings.PHONGDICH_STRUCTURE = installation
    settings.PHONGDICH_PROVINCE_CODE = "51" if installation == "2025" else "62"
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD)
    enter(_successor(commune_a), week=WEEK25, **GOOD)
    assert services.weekly_assessment(WEEK.isoformat()) > 100
    assert services.weekly_assessment(WEEK25.isoformat()) > 0
    before = Assessment.objects.filter(week_start=WEEK)
    after = Assessment.objects.filter(week_start=WEEK25)
    assert set(before.values_list("unit__structure", flat=True)) == {areas.PRE_2025}
    assert set(after.values_list("unit__structure", flat=True)) == {areas.FROM_2025}
    assert before.filter(unit=commune_a).get().level == 1
    # The pre-2025 commune's population counts in its 2025 successor.
    assert after.get(unit=_successor(commune_a)).population >= 10_000


def _two_weeks(kontum, divided):
    """WEEK (2022) on the pre-2025 communes and WEEK25 on the 2025 ones, with levels that differ."""
    default = _successor(divided)
    other = divided.successor_links.get(is_default=False).new_unit
    siblings = [link.old_unit for link in default.predecessor_links.exclude(old_unit=divided)]
    for c in [divided, *siblings]:
        set_population(c, 10_000)
        enter(c, **GOOD, new_cases_per_100k_week=5)  # level 1
    enter(divided, **GOOD, new_cases_per_100k_week=700)  # 218: > 600 → level 3
    now = timezone.now()
    services.assess_units([divided, *siblings], WEEK, now=now)
    for c in (default, other):
        set_population(c, 10_000, year=2024)
    enter(default, week=WEEK25, **GOOD, new_cases_per_100k_week=30)  # level 2
    enter(other, week=WEEK25, **GOOD, new_cases_per_100k_week=700)  # level 3
    services.assess_units([default, other], WEEK25, now=now)
    return default, other, siblings


@pytest.mark.django_db
def test_a_pre2025_week_on_todays_map_shows_the_highest_former_commune_and_is_not_decided_on(
        personas, client_for, kontum, divided):
    default, other, siblings = _two_weeks(kontum, divided)
    c = client_for(personas["admin"])
    page = c.get(f"/levels/?week={WEEK.isoformat()}").content.decode()  # default: today's map
    assert 'data-structure="2025"' in page and 'id="derived-note"' in page
    n = default.predecessor_links.count()
    assert f"cao nhất trong {n} xã cũ" in page
    # The 2025 commune that took only a part of the divided commune counts it too.
    assert f'data-unit="{other.id}"' in page
    panel = c.get(f"/levels/don-vi/{other.id}/{WEEK.isoformat()}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="derived-level"' in panel and "level-3" in panel and divided.name in panel
    assert 'id="no-decision-here"' in panel and "propose-form" not in panel
    panel = c.get(f"/levels/don-vi/{default.id}/{WEEK.isoformat()}/", HTTP_HX_REQUEST="true").content.decode()
    for old in [divided, *siblings]:
        assert old.name in panel
    # Nobody proposes on a derived level, in the page or the service.
    r = client_for(personas["health_dept"]).post(f"/levels/don-vi/{default.id}/{WEEK.isoformat()}/de-xuat/",
                                                 {"level": 3}, HTTP_HX_REQUEST="true")
    assert r.status_code in (400, 404) and not LevelDecision.objects.exists()
    with pytest.raises(Invalid) as exc:
        services.propose(by=personas["health_dept"], unit=default, week_start=WEEK, level=3)
    assert "cấp suy ra" in exc.value.vi and "derived" in exc.value.en
    # On the map of its time the same week is the week's own levels, and may be proposed.
    native = c.get(f"/levels/?week={WEEK.isoformat()}&structure=pre2025").content.decode()
    assert 'id="derived-note"' not in native and f'data-unit="{divided.id}"' in native and "commune level-3" in native


@pytest.mark.django_db
def test_a_2025_week_on_the_pre2025_map_shows_the_successors_level(personas, client_for, kontum, divided):
    default, other, siblings = _two_weeks(kontum, divided)
    c = client_for(personas["admin"])
    page = c.get(f"/levels/?week={WEEK25.isoformat()}&structure=pre2025").content.decode()
    assert 'data-structure="pre2025"' in page and 'id="derived-note"' in page
    assert "cao nhất trong 2 xã hiện hành" in page  # the divided commune: the highest of its two successors
    panel = c.get(f"/levels/don-vi/{divided.id}/{WEEK25.isoformat()}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="derived-level"' in panel and "level-3" in panel and default.name in panel and other.name in panel
    sibling = c.get(f"/levels/don-vi/{siblings[0].id}/{WEEK25.isoformat()}/", HTTP_HX_REQUEST="true").content.decode()
    assert "theo xã hiện hành" in sibling and "level-2" in sibling
    with pytest.raises(Invalid):
        services.propose(by=personas["health_dept"], unit=divided, week_start=WEEK25, level=3)
    native = c.get(f"/levels/?week={WEEK25.isoformat()}").content.decode()
    assert 'id="derived-note"' not in native and f'data-unit="{default.id}"' in native


@pytest.mark.django_db
def test_a_commune_user_sees_his_commune_on_either_map(personas, client_for, kontum, divided):
    """Scoping and levels on both structures: a pre-2025 commune user sees on today's map the 2025 communes his
    commune became; a 2025 commune user sees on the old map the former communes he governs."""
    from tests.conftest import make_user

    default, other, _siblings = _two_weeks(kontum, divided)
    old_user = client_for(personas["commune_b"])  # placed on the divided pre-2025 commune
    page = old_user.get(f"/levels/?week={WEEK.isoformat()}").content.decode()
    assert f'data-unit="{default.id}"' in page and f'data-unit="{other.id}"' in page
    assert old_user.get(f"/levels/don-vi/{other.id}/{WEEK.isoformat()}/").status_code == 200
    stranger = AdministrativeUnit.objects.filter(parent=default.parent, level=Level.COMMUNE).exclude(
        pk__in=[default.pk, other.pk]).first()
    assert f'data-unit="{stranger.id}"' not in page
    assert old_user.get(f"/levels/don-vi/{stranger.id}/{WEEK.isoformat()}/").status_code == 404
    new_user = client_for(make_user("xa_moi", "commune_health", other))
    page = new_user.get(f"/levels/?week={WEEK25.isoformat()}&structure=pre2025").content.decode()
    assert f'data-unit="{divided.id}"' in page  # he took a part of it: he sees its history
    assert f'data-unit="{personas["commune_a"].unit_id}"' not in page


@pytest.mark.django_db
def test_the_levels_api_answers_on_the_structure_asked(personas, api_for, kontum, divided):
    default, other, _siblings = _two_weeks(kontum, divided)
    api = api_for(personas["admin"])
    derived = api.get(f"/api/levels/map/?week_start={WEEK.isoformat()}").json()
    assert (derived["structure"], derived["week_structure"]) == ("2025", "pre2025")
    cell = next(c for c in derived["communes"] if c["unit"] == other.id)
    assert cell["derived"] and cell["level"] == 3 and cell["note_en"].startswith("highest of")
    assert divided.id in [s["unit"] for s in cell["sources"]]
    native = api.get(f"/api/levels/map/?week_start={WEEK.isoformat()}&structure=pre2025").json()
    cell = next(c for c in native["communes"] if c["unit"] == divided.id)
    assert not cell["derived"] and cell["level"] == 3 and cell["sources"] == []
    old_map = api.get(f"/api/levels/map/?week_start={WEEK25.isoformat()}&structure=pre2025").json()
    assert next(c for c in old_map["communes"] if c["unit"] == divided.id)["level"] == 3
    bad = api.get(f"/api/levels/map/?week_start={WEEK.isoformat()}&structure=1990")
    assert bad.status_code == 400 and "pre2025" in bad.json()["message_vi"]
    assert api.get("/api/levels/map/").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("structure", ["2025", "pre2025"])
def test_the_levels_page_makes_the_same_number_of_queries_for_few_or_many_assessed_communes(
        personas, client_for, kontum, structure):
    c = client_for(personas["admin"])
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/levels/?week={WEEK.isoformat()}&structure={structure}").status_code == 200
        return len(ctx.captured_queries)

    for x in communes[:2]:
        set_population(x, 10_000)
        enter(x, **GOOD)
    services.assess_units(communes[:2], WEEK, now=timezone.now())
    few = queries()
    for x in communes:
        set_population(x, 10_000)
        enter(x, **GOOD)
    services.assess_units(communes, WEEK, now=timezone.now())
    assert queries() == few <= 20
