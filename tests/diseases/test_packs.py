"""Disease packs: documented schema, refused whole with each error and its place, idempotent load, export, CLI."""
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from diseases import packs
from diseases.models import Disease, RuleSet
from diseases.rules import in_force

pytestmark = pytest.mark.django_db
HFMD = Path(__file__).parent / "packs" / "hfmd.yaml"

BAD = """code: bad
name: Bệnh lỗi
group: B
rules:
- kind: release
  source_document: A
  valid_from: 2024-01-01
  valid_to: 2024-12-31
  values: {min_days: 3}
- kind: release
  source_document: B
  valid_from: 2024-06-01
  values: {min_days: 4}
- kind: quarantine_of_cats
  source_document: C
  valid_from: 2024-01-01
  values: {x: 1}
- kind: home_care
  valid_from: 2024-01-01
  values: {max_severity: mild}
"""


def test_a_bad_pack_is_refused_whole_with_each_error_and_its_line():
    with pytest.raises(packs.PackRefused) as refused:
        packs.load(BAD, "bad.yaml")
    errors = {(e.path, e.line): e.en for e in refused.value.errors}
    assert errors[("(gốc)", 1)] == "Missing required field “icd10”."
    assert "Overlapping “release” versions" in errors[("rules[0].valid_to", 8)]
    assert errors[("rules[2].kind", 14)].startswith("Unknown rule kind “quarantine_of_cats”")
    assert errors[("rules[3]", 18)] == "Missing required field “source_document”."
    assert not Disease.objects.filter(code="bad").exists() and not RuleSet.objects.filter(disease__code="bad").exists()


def test_shipped_packs_are_valid_and_load_idempotently():
    for code in packs.SHIPPED:
        data, errors = packs.validate(packs.shipped_pack(code), code)
        assert errors == [], code
        first = packs.load(packs.shipped_pack(code), f"{code}.yaml")
        events = AuditEvent.objects.count()
        again = packs.load(packs.shipped_pack(code), f"{code}.yaml")
        assert (again.created, again.updated, again.unchanged) == (0, 0, first.created + first.updated + first.unchanged)
        assert AuditEvent.objects.count() == events


def test_a_changed_value_updates_the_version_in_place_and_is_audited():
    packs.load(packs.shipped_pack("measles"), "measles.yaml")
    text = packs.shipped_pack("measles").replace("close_after_days_without_case: {value: 21,", "close_after_days_without_case: {value: 28,")
    result = packs.load(text, "measles.yaml")
    assert result.updated == 1
    assert in_force("measles", "outbreak", dt.date(2025, 3, 1)).value("close_after_days_without_case") == 28
    assert AuditEvent.objects.filter(action="update", note="disease pack measles.yaml").exists()


def test_export_writes_a_pack_that_loads_back_unchanged():
    packs.load(packs.shipped_pack("dengue"), "dengue.yaml")
    text = packs.export("dengue")
    data, errors = packs.validate(text)
    assert errors == [] and data["icd10"] == "A97"
    result = packs.load(text, "dengue-export.yaml")
    assert result.created == result.updated == 0


def test_the_command_loads_exports_and_refuses(tmp_path):
    out = StringIO()
    call_command("diseases", "load", str(HFMD), stdout=out)
    assert "hfmd — 4 created" in out.getvalue()
    target = tmp_path / "hfmd.yaml"
    call_command("diseases", "export", "hfmd", "-o", str(target), stdout=StringIO())
    assert "Tay chân miệng" in target.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("diseases", "load", str(bad), stdout=StringIO(), stderr=err)
    assert "line 14, rules[2].kind" in err.getvalue()


def test_a_third_disease_is_data_only(personas, commune_a):
    """Hand-foot-mouth from a pack written from the docs: a suspected case, refused as confirmed without PCR,
    confirmed by PCR, release date and warning signs from its rules."""
    from cases import services
    from tests.conftest import make_person

    packs.load(HFMD.read_text(encoding="utf-8"), "hfmd.yaml")
    child = make_person(commune_a, full_name="Trần Bé Na", birth_year=2022)
    with pytest.raises(Exception) as refused:
        services.open_case(by=personas["commune_a"], person=child, disease="hfmd", confirmed_on=dt.date(2025, 5, 2),
                           test_kind="", classification="suspected", clinical_signs=["fever"])
    assert "Loét miệng" in str(refused.value)
    case = services.open_case(by=personas["commune_a"], person=child, disease="hfmd", confirmed_on=dt.date(2025, 5, 2),
                              test_kind="", classification="suspected", clinical_signs=["fever", "mouth_ulcers", "hand_foot_rash"])
    assert case.disease.code == "hfmd" and case.release_due_on == dt.date(2025, 5, 12)
    with pytest.raises(Exception) as refused:
        services.classify_case(case, by=personas["commune_a"], classification="confirmed", test_kind="igm")
    assert "PCR" in str(refused.value)
    services.classify_case(case, by=personas["commune_a"], classification="confirmed", test_kind="pcr")
    case.refresh_from_db()
    assert case.classification == "confirmed"
    from cases.rules import warning_signs

    signs = warning_signs(in_force("hfmd", "warning_signs", dt.date(2025, 5, 3)), age=3, values={"pulse": 140}, symptoms=["startle"])
    assert {s.vi for s in signs} >= {"Giật mình chới với"}
