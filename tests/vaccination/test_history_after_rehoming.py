"""History stays on the units of its time: after a re-homing, people (and the vaccination summary that follows them)
still count on the pre-2025 commune they lived in — coverage, campaign progress and missing people, levels' coverage
figures — the same before the run, after it and after its undo; on the 2025 map they count once, on today's commune."""
import datetime as dt

import pytest

from geo.models import AdministrativeUnit, PopulationEstimate, UnitCorrespondence, Village
from levels import sources
from people import rehoming
from people.models import RehomingRun
from tests.conftest import make_person
from vaccination import outreach, services
from vaccination.models import Campaign

D = dt.date
DAY_2022 = D(2022, 2, 14)
WEEK_2022 = D(2022, 2, 7)  # a Monday


def rec(person, product, number, on):
    return services.record_injection(by=None, person=person, product=product, dose_kind="primary", dose_number=number,
                                     given_on=on, today=on)


def run(by) -> RehomingRun:
    r = rehoming.start_run(by=by)
    rehoming.run_job(run_id=r.pk)
    r.refresh_from_db()
    assert r.status == RehomingRun.Status.DONE, r.error
    return r


def successor(commune) -> AdministrativeUnit:
    return UnitCorrespondence.objects.get(old_unit=commune, is_default=True).new_unit


@pytest.fixture
def history(commune_a, products):
    """commune_a in 2021–2022: 4 adults (one high-risk), 3 fully vaccinated in 2021; its population estimates of 2021;
    a 2021 campaign of first doses for 18+ that reached its target; and a resident of the 2025 successor, vaccinated
    in 2025, who never lived on the pre-2025 map."""
    for band, n in (("18-49", 2), ("50-64", 1), ("65+", 1)):
        PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band=band, population=n)
    people = [make_person(commune_a, full_name=f"Người {i}", date_of_birth=D(1960 + 10 * i, 3, 1)) for i in range(4)]
    people[0].comorbidities = ["tiểu đường"]
    people[0].save(update_fields=["comorbidities"])
    for p in people[:3]:
        rec(p, products["comirnaty"], 1, D(2021, 9, 1))
        rec(p, products["comirnaty"], 2, D(2021, 10, 1))
    newcomer = make_person(successor(commune_a), full_name="Người Mới", date_of_birth=D(1990, 1, 1))
    rec(newcomer, products["comirnaty"], 1, D(2025, 9, 1))
    campaign = Campaign.objects.create(name="Mũi 1 cho 18+", target="dose1", age_min=18, target_pct=75,
                                       starts_on=D(2021, 7, 1), deadline=D(2021, 12, 31), unit=commune_a)
    return {"people": people, "newcomer": newcomer, "campaign": campaign}


def figures(commune_a, campaign, today):
    """Everything that counts people of commune_a (its district, the province), uncached, at a 2022 date and today."""
    district, province = commune_a.parent, commune_a.parent.parent
    out = {}
    for on in (DAY_2022, today):
        for unit in (commune_a, district, province):
            cov = services._coverage(unit, on)
            out[("coverage", unit.pk, on)] = (cov["groups"], cov["registry"])
            out[("levels", unit.pk, on)] = services.coverage_for_levels(unit, on)
        out[("many", on)] = services.coverage_for_levels_many([commune_a, district, province], on)
        prog = outreach.progress(campaign, on)
        out[("campaign", on)] = (prog.achieved, prog.target_count, prog.denominator, prog.registry, prog.status)
        out[("missing", on)] = sorted(outreach.missing_people(campaign, on).values_list("pk", flat=True))
        out[("trend", on)] = services._coverage_trend(commune_a, on, 2, "18+")
    data = sources.collect([commune_a, district, province], WEEK_2022)
    out["sources"] = {pk: (d.values, d.population) for pk, d in data.items()}
    return out


def test_counts_on_the_pre2025_map_are_the_same_before_after_a_rehoming_and_after_its_undo(
        history, commune_a, personas, today):
    campaign = history["campaign"]
    before = figures(commune_a, campaign, today)
    # What a user relies on: the 2021 campaign reached its target (3 of 4 adults), nothing "will miss".
    assert before[("campaign", DAY_2022)] == (3, 3, 4, 4, "reached")
    assert before[("coverage", commune_a.pk, DAY_2022)][0]["18+"]["full"]["numerator"] == 3
    assert before[("levels", commune_a.pk, DAY_2022)]["high_risk_full_pct"] == 100.0
    assert before[("missing", DAY_2022)] == [history["people"][3].pk]
    # The newcomer of the 2025 commune never counts on the pre-2025 map.
    assert before[("coverage", commune_a.pk, today)][0]["all"]["dose1"]["numerator"] == 3

    r = run(personas["health_dept"])
    for p in history["people"]:
        p.refresh_from_db()
        assert p.former_commune == commune_a and p.commune.is_post_2025
    assert figures(commune_a, campaign, today) == before

    rehoming.undo_run(run=r, by=personas["health_dept"])
    assert figures(commune_a, campaign, today) == before


def test_on_the_2025_map_everyone_counts_once_on_todays_commune(history, commune_a, personas, today):
    new = successor(commune_a)
    province = new.parent
    before = {u.pk: services._coverage(u, today)["groups"]["all"]["dose1"]["numerator"] for u in (new, province)}
    many_before = services.coverage_for_levels_many([new, province], today)
    assert before[new.pk] == 4  # three of the old commune (rolled up) and the newcomer
    run(personas["health_dept"])
    assert {u.pk: services._coverage(u, today)["groups"]["all"]["dose1"]["numerator"] for u in (new, province)} == before
    assert services.coverage_for_levels_many([new, province], today) == many_before


def test_the_cached_figures_follow_a_rehoming(history, commune_a, personas, today):
    """Cached figures (coverage, campaign progress) keep the pre-2025 commune's history after a run, and those of a
    2025 commune that receives re-homed people are recomputed (a divided commune: one person goes to the other
    successor by his village)."""
    ba_to = AdministrativeUnit.objects.get(structure="2025", level="commune", code="21484")
    UnitCorrespondence.objects.create(old_unit=commune_a, new_unit=ba_to, is_default=False)
    Village.objects.create(commune=ba_to, name="Thôn Làng Mới")
    moving = history["people"][1]
    moving.village = Village.objects.create(commune=commune_a, name="Thôn Làng Mới")
    moving.save(update_fields=["village"])
    campaign = history["campaign"]
    before = outreach.progress(campaign, DAY_2022)
    cov = services.coverage(commune_a, today)["groups"]["18+"]["full"]["numerator"]
    assert services.coverage(ba_to, today)["groups"]["18+"]["full"]["numerator"] == 0
    run(personas["health_dept"])
    moving.refresh_from_db()
    assert moving.commune == ba_to
    after = outreach.progress(campaign, DAY_2022)
    assert (after.achieved, after.status) == (before.achieved, before.status) == (3, "reached")
    assert services.coverage(commune_a, today)["groups"]["18+"]["full"]["numerator"] == cov == 3
    assert services.coverage(ba_to, today)["groups"]["18+"]["full"]["numerator"] == 1


def test_levels_sources_count_rehomed_people_on_pre2025_units_only(history, commune_a, personas):
    """A run over both maps at once: the re-homed count on the pre-2025 units and on the 2025 ones, each once."""
    new = successor(commune_a)
    run(personas["health_dept"])
    owners = {commune_a.pk: ["old"], new.pk: ["new"]}
    got = services.coverage_for_levels_rollup(owners, DAY_2022, era_keys={"old"})
    assert got["old"]["high_risk_full_pct"] == 100.0 and got["old"]["full_pct"] is not None
    # The 2025 commune counts its current residents (the re-homed included) on its own: no pre-2025 key there.
    assert got["new"]["high_risk_full_pct"] == 100.0
    assert services.coverage_for_levels_rollup({commune_a.pk: ["old"]}, DAY_2022)["old"]["high_risk_full_pct"] is None


@pytest.fixture
def measles(db):
    """The shipped measles pack, as an installation loads it."""
    from diseases.models import Disease
    from diseases.packs import install_missing, load, shipped_pack
    from diseases.seed_covid19 import install

    install()
    install_missing("covid19")
    load(shipped_pack("measles"), "measles.yaml")
    return Disease.objects.get(code="measles")


def test_a_pre2025_catch_up_campaign_keeps_its_children_and_door_to_door_list(commune_a, measles, personas):
    village = Village.objects.create(commune=commune_a, name="Thôn 1")
    children = [make_person(commune_a, full_name=f"Bé {i}", date_of_birth=D(2019, 1, 1 + i), village=village)
                for i in range(3)]
    campaign = Campaign.objects.create(name="Tiêm bù sởi 2024", target="catch_up", disease=measles, age_min=1,
                                       age_min_months=12, age_below=11, target_doses=2, starts_on=D(2024, 3, 15),
                                       deadline=D(2024, 3, 31), unit=commune_a)
    on = D(2024, 3, 20)

    def figures():
        prog = outreach.progress(campaign, on)
        return (sorted(outreach.catch_up_targets(campaign, on).values_list("pk", flat=True)),
                sorted(e.person.pk for e in outreach.catch_up_door_to_door(campaign, village, on)),
                (prog.achieved, prog.denominator, prog.registry))

    before = figures()
    assert before[0] == before[1] == sorted(c.pk for c in children) and before[2] == (0, 3, 3)
    run(personas["health_dept"])
    assert figures() == before


def test_the_campaigns_page_shows_a_2021_campaigns_real_progress_after_a_rehoming(history, personas, client_for):
    import re

    def row():
        page = client_for(personas["health_dept"]).get("/vaccination/chi-tieu/").content.decode()
        return re.search(r"<tr[^>]*><td>Mũi 1 cho 18\+</td>.*?</tr>", page, re.S).group(0)

    before = row()
    assert "3 / 3" in before and "Đã đạt chỉ tiêu" in before and "Không kịp hạn" not in before
    run(personas["health_dept"])
    assert row() == before
