"""The five seed directives parse into the hand-made answer file (tests/directives/fixtures/answers.json)."""
import io
import json

import pytest
from django.core.management import call_command

from directives.parser import parse

from .conftest import FIXTURES, SEEDS, expand


def test_it_has_the_five_seeds_and_their_answers(answers):
    assert len(SEEDS) == 5, f"the five seed texts must be in {FIXTURES}"
    assert sorted(answers) == [p.name for p in SEEDS]


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_it_reads_each_seed_as_the_answer_file_says(seed, answers, catalog):
    expected = answers[seed]
    got = parse((FIXTURES / seed).read_text(encoding="utf-8"), catalog)
    for key in ("kind", "number", "date", "issuer", "signer", "subject", "addressees", "references", "new_agencies"):
        assert got[key] == expected[key], key
    assert [t["ref"] for t in got["tasks"]] == [t["ref"] for t in expected["tasks"]]
    for g, e in zip(got["tasks"], expected["tasks"], strict=True):
        assert set(g["assignees"]) == expand(e["assignees"], catalog), g["ref"]
        assert g["deadline"] == e["deadline"], g["ref"]
        assert g["recurrence"] == e["recurrence"], g["ref"]


def test_it_prints_the_json_contract_from_the_command_line(kontum):
    out = io.StringIO()
    call_command("directives", "parse", str(FIXTURES / "002_31f813e9783ca74b.txt"), "--json", stdout=out)
    data = json.loads(out.getvalue())
    for key in ("kind", "number", "date", "issuer", "signer", "subject", "addressees", "references", "tasks"):
        assert key in data
    handbook = next(t for t in data["tasks"] if t["ref"] == "4.2")
    assert set(handbook) >= {"ref", "text", "assignees", "deadline", "recurrence"}
    assert handbook["deadline"] == "2022-02-15"
    assert "Sở Y tế" in handbook["assignees"]
    assert "Ủy ban nhân dân Huyện Đắk Glei" in handbook["assignees"]  # fanned out


def test_it_reports_the_recurring_14h_report_in_seed_001(catalog):
    got = parse((FIXTURES / "001_1af323bdaaea9193.txt").read_text(encoding="utf-8"), catalog)
    daily = [t for t in got["tasks"] if t["recurrence"]]
    assert [(t["assignees"], t["recurrence"]) for t in daily] == [(["Sở Thông tin và Truyền thông"], {"every": "day", "before": "14:00"})]
    assert got["references"][1] == {"kind": "thông báo", "number": "283/TB-VPCP", "date": "2020-08-08"}  # from a footnote


def test_it_keeps_every_milestone_when_a_task_has_several_deadlines(catalog):
    got = parse((FIXTURES / "004_41ec98a499ff9dc3.txt").read_text(encoding="utf-8"), catalog)
    task = next(t for t in got["tasks"] if t["ref"] == "2.3")
    assert [m["deadline"] for m in task["milestones"]] == ["2021-12-31", "2022-01-31", "2022-03-31"]
    assert task["deadline"] == "2021-12-31"


def test_it_fails_clearly_on_a_missing_or_unreadable_file(tmp_path, kontum):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("directives", "parse", str(tmp_path / "none.txt"), "--json")
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="Cannot open broken.docx"):
        call_command("directives", "parse", str(bad), "--json")
