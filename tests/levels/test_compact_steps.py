"""Explanations are stored compact (message codes and arguments, rendered when read): what the API and the pages
show is the same as for rows stored before, which keep being read as they are."""
import json
import re
from pathlib import Path

import pytest

from levels import criteria_data, rules
from levels.models import Assessment, CriteriaVersion

from .conftest import WEEK

FIXTURE = json.loads((Path(__file__).parent / "old_format_steps.json").read_text(encoding="utf-8"))


def _thresholds(code):
    versions = {v["code"]: v["values"] for v in criteria_data.VERSIONS}
    return {**versions["218-qd-byt"], **FIXTURE["custom_thresholds"]} if code == "custom" else versions[code]


@pytest.mark.parametrize("scenario", FIXTURE["scenarios"], ids=lambda s: f"{s['version']}-{s['level']}-{len(s['steps'])}")
def test_compact_steps_read_back_as_the_rows_stored_before(scenario):
    result = rules.assess(scenario["values"], _thresholds(scenario["version"]), previous_level=scenario["previous_level"])
    assert result.level == scenario["level"]
    compact = json.loads(json.dumps([s.stored() for s in result.steps], ensure_ascii=False))  # as stored: through JSON
    assert [rules.expand_step(s) for s in compact] == scenario["steps"]
    assert [rules.expand_step(s) for s in scenario["steps"]] == scenario["steps"]  # old rows are read as they are
    for lang in ("vi", "en"):
        assert [rules.step_text(s, lang) for s in compact] == [s[lang] for s in scenario["steps"]]
    # Half the bytes or less: the point of the compact form.
    assert len(json.dumps(compact, ensure_ascii=False).encode()) * 2 < len(json.dumps(scenario["steps"], ensure_ascii=False).encode())


def test_the_api_and_the_unit_page_show_old_and_compact_rows_alike(personas, api_for, client_for, kontum, commune_a, commune_b):
    scenario = FIXTURE["scenarios"][1]  # level 2, coverage and capacity not met: most kinds of step
    version = CriteriaVersion.objects.get(code=scenario["version"])
    result = rules.assess_with_version(scenario["values"], version, previous_level=scenario["previous_level"])
    common = {"week_start": WEEK, "level": result.level, "version": version, "population": 10_000, "values": scenario["values"]}
    Assessment.objects.create(unit=commune_a, steps=scenario["steps"], **common)
    Assessment.objects.create(unit=commune_b, steps=[s.stored() for s in result.steps], **common)

    rows = api_for(personas["health_dept"]).get("/api/levels/assessments/", {"week_start": WEEK.isoformat()}).json()["results"]
    steps = {r["unit"]: r["steps"] for r in rows}
    assert steps[commune_a.id] == steps[commune_b.id] == scenario["steps"]

    c = client_for(personas["health_dept"])
    for lang in ("vi", "en"):
        c.post("/i18n/setlang/", {"language": lang, "next": "/levels/"})
        pages = [c.get(f"/levels/don-vi/{u.id}/{WEEK.isoformat()}/").content.decode() for u in (commune_a, commune_b)]
        old, new = (re.search(r'<ol class="explanation">.*?</ol>', p, re.S).group(0) for p in pages)
        assert old == new and scenario["steps"][-1][lang] in new
