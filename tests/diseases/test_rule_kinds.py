"""One rule base for every kind of every app: schedules, dose policies and level criteria go through the same
lookup, cache, gap refusal, overlap check, packs and time line as the RuleSet kinds (issue #13 §1)."""
import datetime as dt

import pytest

from core.errors import Invalid
from diseases import packs, rules
from diseases.models import RuleKind, RuleSet
from diseases.rules import NoRuleInForce, in_force, timeline, value, versions_in_force

pytestmark = pytest.mark.django_db
D = dt.date
DAY = dt.timedelta(days=1)

# A made-up disease with two versions of every kind: v1 01/01/2024–31/03/2024 (closed), a gap in April, v2 from
# 01/05/2024. Written only from docs/diseases.md.
TYPED_VALUES = {
    "vaccination_schedule": ("  values:\n    product: testvax\n    age_min: 0\n    primary_doses: {n}\n"
                             "    min_interval_days: 28\n    mixable_with: []\n    usable_as_booster: false\n"),
    "dose_policy": ("  values:\n    additional_min_days: 28\n    booster_min_days: {n}0\n    booster_next_min_days: 120\n"
                    "    booster_age_min: 18\n"),
    "level_criteria": "  code: testpox-criteria-{n}\n  values:\n    window_days: {{value: {n}, source: Thử, op: '>='}}\n",
}


def _version(kind, n, start, end=None):
    text = f"- kind: {kind}\n  name: Phiên bản {n}\n  source_document: Văn bản thử {n}\n  valid_from: {start}\n"
    if end:
        text += f"  valid_to: {end}\n"
    return text + (TYPED_VALUES[kind].format(n=n) if kind in TYPED_VALUES else f"  values:\n    x: {n}\n")


def every_kind_pack() -> str:
    text = "code: testpox\nname: Bệnh thử\nname_en: Testpox\nicd10: X99\ngroup: C\nrules:\n"
    for kind in RuleKind.values:
        text += _version(kind, 1, "2024-01-01", "2024-03-31") + _version(kind, 2, "2024-05-01")
    text += ("vaccines:\n- {code: testvax, name: Vắc xin thử, platform: live, approved_on: 2023-01-01,"
             " approval_source: thử}\n")
    return text


@pytest.fixture
def products(db):
    from vaccination.models import Product

    return {p.code: p for p in Product.objects.all()}


@pytest.fixture
def testpox():
    packs.load(every_kind_pack(), "testpox.yaml")
    return rules.get_disease("testpox")


def test_every_app_kind_is_registered_on_its_own_model():
    from levels.models import CriteriaVersion
    from vaccination.models import DosePolicy, Schedule

    typed = rules.typed_kinds()
    assert typed["vaccination_schedule"].model is Schedule and typed["dose_policy"].model is DosePolicy
    assert typed["level_criteria"].model is CriteriaVersion and typed["level_criteria"].strict
    assert rules.kind_spec("release").model is RuleSet
    with pytest.raises(Invalid) as refused:
        rules.kind_spec("quarantine_of_cats")
    assert refused.value.en == "Unknown rule kind “quarantine_of_cats”."


@pytest.mark.parametrize("kind", RuleKind.values)
def test_every_kind_on_its_boundary_dates(testpox, kind):
    def n(on):
        return in_force(testpox, kind, on).source_document

    for refused_day in (D(2023, 12, 31), D(2024, 4, 1), D(2024, 4, 30)):  # before the first version, in the gap
        with pytest.raises(NoRuleInForce) as refused:
            in_force(testpox, kind, refused_day)
        assert refused.value.en.startswith(f"No {rules.KIND_EN[kind]} rule for Testpox on {refused_day:%d/%m/%Y}")
    assert n(D(2024, 1, 1)) == n(D(2024, 3, 31)) == "Văn bản thử 1"
    assert n(D(2024, 5, 1)) == n(D(2030, 1, 1)) == "Văn bản thử 2"
    assert in_force(testpox, kind, D(2024, 5, 1)).disease_id == testpox.pk


def test_covid19_schedules_policies_and_criteria_keep_their_versions_and_boundaries(products):
    from levels.rules import NoVersionInForce, version_in_force
    from vaccination import services

    comirnaty = products["comirnaty"]
    # 12–17 year olds: Comirnaty from 14/10/2021 (8688/BYT-DP); adults since 12/06/2021
    assert services.schedule_for(comirnaty, D(2021, 10, 13), 15) is None
    assert services.schedule_for(comirnaty, D(2021, 10, 14), 15).age_min == 12
    assert services.schedule_for(comirnaty, D(2021, 10, 14), 30).age_min == 18
    assert in_force("covid19", "vaccination_schedule", D(2021, 10, 14), product="comirnaty", age=15).age_below == 18
    with pytest.raises(NoRuleInForce):
        in_force("covid19", "vaccination_schedule", D(2021, 6, 11), product=comirnaty, age=30)
    # dose policy: first 01/11/2021–31/05/2022, second from 01/06/2022; none before
    assert services.policy_in_force(D(2021, 10, 31)) is None
    assert services.policy_in_force(D(2022, 5, 31)).booster_min_days == 180
    assert services.policy_in_force(D(2022, 6, 1)).booster_min_days == 90
    assert value("covid19", "dose_policy", "booster_min_days", D(2022, 6, 1)) == 90
    # level criteria: 4800/QĐ-BYT until 26/01/2022, 218/QĐ-BYT from 27/01/2022, nothing before 12/10/2021
    assert version_in_force(D(2022, 1, 26)).code == "4800-qd-byt"
    assert version_in_force(D(2022, 1, 27)).code == "218-qd-byt"
    assert in_force("covid19", "level_criteria", D(2022, 1, 27)).code == "218-qd-byt"
    with pytest.raises(NoVersionInForce) as refused:
        version_in_force(D(2021, 10, 11))
    assert isinstance(refused.value, NoRuleInForce)
    assert refused.value.en == "No level criteria rule for COVID-19 on 11/10/2021: add a version that covers this date"
    assert "11/10/2021" in refused.value.vi and "COVID-19" in refused.value.vi


def test_measles_schedule_comes_from_the_pack_with_its_unconfirmed_values():
    packs.install_missing("measles")
    schedule = in_force("measles", "vaccination_schedule", D(2025, 3, 20), product="mr", age=3)
    assert schedule.primary_doses == 2 and schedule.product.code == "mr"
    assert value("measles", "vaccination_schedule", "full_doses", D(2025, 3, 20)) == 2  # what contacts ask
    assert set(schedule.unconfirmed_keys) >= {"min_interval_days", "recommended_interval_days", "valid_from"}
    assert "today.md" in schedule.source_of("primary_doses")
    assert {s.product.code for s in versions_in_force("measles", "vaccination_schedule", D(2025, 3, 20))} == {"measles", "mr", "mmr"}


def test_the_cache_is_shared_and_cleared_when_a_schedule_changes(products):
    from vaccination.models import Schedule

    on = D(2023, 1, 1)
    before = versions_in_force("covid19", "vaccination_schedule", on)
    assert versions_in_force("covid19", "vaccination_schedule", on) is before  # served from the cache
    janssen = products["janssen"]
    Schedule.objects.create(product=janssen, valid_from=D(2022, 12, 1), age_min=18, primary_doses=1, min_interval_days=0,
                            source_document="Văn bản thử")
    after = versions_in_force("covid19", "vaccination_schedule", on)
    assert len(after) == len(before) + 1
    assert in_force("covid19", "vaccination_schedule", on, product=janssen, age=40).source_document == "Văn bản thử"


def test_one_overlap_rule_for_every_kind(testpox):
    schedule = in_force(testpox, "vaccination_schedule", D(2024, 5, 1))
    scope = {"product_id": schedule.product_id, "age_min": 0}
    with pytest.raises(Invalid) as same_day:
        rules.check_overlap("vaccination_schedule", disease=testpox, scope=scope, valid_from=D(2024, 5, 1), valid_to=None)
    assert same_day.value.en.startswith("A version starting on 01/05/2024 already exists")
    with pytest.raises(Invalid):  # a closed version reaching into the next one
        rules.check_overlap("vaccination_schedule", disease=testpox, scope=scope, valid_from=D(2024, 4, 1), valid_to=D(2024, 5, 2))
    rules.check_overlap("vaccination_schedule", disease=testpox, scope=scope, valid_from=D(2024, 4, 1), valid_to=D(2024, 4, 30))
    # criteria are strict: an open-ended version may not run on under a later one
    with pytest.raises(Invalid) as strict:
        rules.check_overlap("level_criteria", disease=testpox, scope={"province_id": None}, valid_from=D(2025, 1, 1), valid_to=None)
    assert "overlap" in strict.value.en


def test_a_pack_with_an_overlapping_schedule_or_an_unknown_kind_is_refused_whole_with_lines():
    text = every_kind_pack() + ""
    bad = text.replace("rules:\n", "rules:\n" + _version("vaccination_schedule", 3, "2024-05-01") + _version("cat_rules", 4, "2024-01-01"), 1)
    with pytest.raises(packs.PackRefused) as refused:
        packs.load(bad, "bad.yaml")
    errors = {(e.path, e.line): e.en for e in refused.value.errors}
    assert any(path.endswith(".valid_from") and "same start 01/05/2024" in en for (path, _l), en in errors.items()), errors
    line = bad.splitlines().index("- kind: cat_rules") + 1
    assert errors[("rules[1].kind", line)].startswith("Unknown rule kind “cat_rules”")
    assert not rules.Disease.objects.filter(code="testpox").exists()


def test_a_pack_clashing_with_stored_criteria_is_refused_with_its_line(testpox):
    clash = ("code: testpox\nname: Bệnh thử\nicd10: X99\ngroup: C\nrules:\n"
             + _version("level_criteria", 9, "2025-01-01"))
    with pytest.raises(packs.PackRefused) as refused:
        packs.load(clash, "clash.yaml")
    (error,) = refused.value.errors
    assert error.path == "rules[0].valid_from" and error.line == 9 and "overlap" in error.en
    assert not rules.typed_kinds()["level_criteria"].model.objects.filter(code="testpox-criteria-9").exists()


def test_a_typed_value_with_a_bad_type_or_an_unknown_product_is_refused():
    bad = every_kind_pack().replace("primary_doses: 1", "primary_doses: many").replace("product: testvax", "product: nope", 1)
    with pytest.raises(packs.PackRefused) as refused:
        packs.load(bad, "bad.yaml")
    en = " | ".join(e.en for e in refused.value.errors)
    assert "Invalid value for “primary_doses”" in en and "No “nope” (product)" in en


def test_export_then_load_is_a_round_trip_for_every_kind(products):
    from levels.models import CriteriaVersion
    from vaccination.models import DosePolicy, Schedule

    text = packs.export("covid19")
    data = __import__("yaml").safe_load(text)
    kinds = {r["kind"] for r in data["rules"]}
    assert {"vaccination_schedule", "dose_policy", "level_criteria", "release"} <= kinds
    counts = (Schedule.objects.count(), DosePolicy.objects.count(), CriteriaVersion.objects.count())
    again = packs.load(text, "covid19.yaml")
    assert again.created == 0 and again.updated == 0
    # into a database without them: the same rows come back, and export writes the same text
    Schedule.objects.filter(disease__code="covid19").delete()
    DosePolicy.objects.filter(disease__code="covid19").delete()
    CriteriaVersion.objects.filter(disease__code="covid19").delete()
    loaded = packs.load(text, "covid19.yaml")
    assert loaded.created == sum(counts)
    assert (Schedule.objects.count(), DosePolicy.objects.count(), CriteriaVersion.objects.count()) == counts
    assert packs.export("covid19") == text
    assert services_schedule_for_still_works(products)


def services_schedule_for_still_works(products):
    from vaccination import services

    return services.schedule_for(products["comirnaty"], D(2021, 10, 14), 15).age_min == 12


def test_the_time_line_shows_every_kind_and_each_gap_as_a_gap(testpox):
    line = timeline(testpox, until=D(2024, 12, 31))
    kinds = {lane["kind"] for lane in line["lanes"]}
    assert kinds == set(RuleKind.values)
    lane = next(lane for lane in line["lanes"] if lane["kind"] == "level_criteria")
    shape = [(s["gap"], s["start"], s["end"]) for s in lane["segments"]]
    assert shape == [(False, D(2024, 1, 1), D(2024, 3, 31)), (True, D(2024, 4, 1), D(2024, 4, 30)), (False, D(2024, 5, 1), None)]


def test_the_rules_page_shows_the_time_line_to_the_department_of_health(testpox, personas, client_for):
    page = client_for(personas["health_dept"]).get("/diseases/?disease=testpox&on=15/04/2024").content.decode()
    assert "Dòng thời gian của mọi loại quy định" in page
    assert page.count("Khoảng trống: không có quy định") >= len(RuleKind.values)  # the April gap of every kind
    assert "Lịch tiêm chủng" in page and "Tiêu chí cấp độ dịch" in page and "Văn bản thử 2" in page
    assert "Không có phiên bản nào có hiệu lực vào ngày này" in page  # 15/04/2024 lies in the gap


def test_a_schedule_or_criteria_kind_cannot_be_added_as_a_free_rule_set(personas):
    from diseases import services

    with pytest.raises(Invalid) as refused:
        services.add_rule_version(by=personas["health_dept"], disease=rules.get_disease("covid19"), kind="level_criteria",
                                  name="x", source_document="x", valid_from=D(2024, 1, 1), values={"a": 1})
    assert refused.value.field == "kind"


def test_a_criteria_gap_is_refused_in_the_api(personas, api_for, client_for):
    api = api_for(personas["health_dept"])
    r = api.post("/api/levels/assess", {"date": "2021-10-11", "new_cases_per_100k_week": 3}, format="json")
    assert r.status_code == 400
    assert "No level criteria rule for COVID-19 on 11/10/2021" in r.json()["message_en"]


def test_a_dose_in_a_schedule_gap_is_a_row_error_of_the_import(commune_a, person_factory):
    from geo.importers import Operator
    from vaccination.bulk import DoseImporter

    person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=D(2006, 3, 4), id_number="062206000001")
    # 15 years old: Comirnaty for 12–17 year olds only from 14/10/2021 (8688/BYT-DP); adults' schedule since 06/2021
    text = ("STT,Số CCCD/CMND,Họ và tên,Ngày sinh,Mã xã,Tên vắc xin,Loại mũi,Mũi số,Ngày tiêm,Số lô,Cơ sở tiêm\n"
            "1,062206000001,Nguyễn Văn An,04/03/2006,,Pfizer,Cơ bản,1,01/10/2021,FA1,TYT\n")
    result = DoseImporter(by=Operator(), mode="all", today=D(2022, 2, 14)).run(text.encode("utf-8"), "doses.csv")
    assert result.imported == 0 and len(result.errors) == 1
    (error,) = result.errors
    assert error["line"] == 2 and error["code"] == "schedule"  # "No schedule of this product for the person's age…"


def test_a_criteria_gap_is_refused_on_the_calculator_page(personas, client_for):
    page = client_for(personas["health_dept"]).post("/levels/tinh-thu/", {"date": "11/10/2021", "new_cases_per_100k_week": "3"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Không có bộ tiêu chí đánh giá cấp độ dịch cho COVID-19 có hiệu lực ngày 11/10/2021" in text
