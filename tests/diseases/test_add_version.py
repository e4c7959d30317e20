import datetime as dt
import json

import pytest

from audit.models import AuditEvent
from diseases.models import RuleSet
from diseases.rules import rule_in_force

pytestmark = pytest.mark.django_db


def _post(client, **over):
    data = {"kind": "release", "name": "Khỏi bệnh theo văn bản thử", "source_document": "999/BYT-DP ngày 01/03/2022",
            "valid_from": "01/03/2022", "values": json.dumps({"min_days": 5, "max_days_positive_vaccinated": 7,
                                                                 "max_days_positive_unvaccinated": 10, "self_test_allowed": True}),
            "notes": ""}
    data.update(over)
    return client.post("/diseases/them/", data)


def test_it_lets_a_health_department_officer_add_a_version_that_then_applies(personas, client_for):
    response = _post(client_for(personas["health_dept"]))
    assert response.status_code == 302
    assert rule_in_force(kind="release", on=dt.date(2022, 3, 1)).source_document == "999/BYT-DP ngày 01/03/2022"
    assert rule_in_force(kind="release", on=dt.date(2022, 2, 28)).source_document.startswith("762/BYT-DP")
    new = RuleSet.objects.get(source_document="999/BYT-DP ngày 01/03/2022")
    assert new.values["min_days"] == {"value": 5, "source": "999/BYT-DP ngày 01/03/2022", "confirmed": True}
    assert AuditEvent.objects.filter(action="create", target_type="diseases.ruleset", target_id=str(new.pk)).exists()


def test_it_refuses_a_commune_worker_and_leadership(personas, client_for):
    assert _post(client_for(personas["commune_a"])).status_code == 403
    assert _post(client_for(personas["leader"])).status_code == 403
    assert client_for(personas["leader"]).get("/diseases/").status_code == 200


def test_it_refuses_bad_json_and_a_second_version_on_the_same_day(personas, client_for):
    c = client_for(personas["health_dept"])
    assert "JSON" in _post(c, values="{not json").content.decode()
    response = _post(c, valid_from="21/02/2022")
    assert response.status_code == 200 and "21/02/2022" in response.content.decode()
    assert RuleSet.objects.filter(kind="release", valid_from=dt.date(2022, 2, 21)).count() == 1


def test_it_shows_which_version_applies_on_a_chosen_day_and_why(personas, client_for):
    page = client_for(personas["commune_a"]).get("/diseases/?on=15/02/2022").content.decode()
    assert "261/QĐ-BYT" in page and "15/02/2022" in page and "Áp dụng" in page


def test_it_lets_the_officer_edit_each_value_of_the_latest_version_with_its_source(personas, client_for):
    c = client_for(personas["health_dept"])
    page = c.get("/diseases/them/?kind=warning_signs").content.decode()
    assert 'name="v-spo2_max" value="96"' in page and "rr_under_1_min" in page
    base = rule_in_force(kind="warning_signs", on=dt.date(2022, 2, 1))
    data = {"kind": "warning_signs", "name": "Dấu hiệu cảnh báo (thử)", "source_document": "888/QĐ-BYT ngày 01/04/2022",
            "valid_from": "01/04/2022", "structured": "1", "notes": ""}
    for key, entry in base.values.items():
        data[f"v-{key}"] = json.dumps(entry["value"], ensure_ascii=False)
        data[f"s-{key}"] = entry["source"]
        if entry["confirmed"]:
            data[f"c-{key}"] = "on"
    data["v-spo2_max"], data["s-spo2_max"], data["c-rr_under_1_min"] = "95", "888/QĐ-BYT: SpO2 ≤ 95%", "on"
    assert c.post("/diseases/them/?kind=warning_signs", data).status_code == 302
    new = rule_in_force(kind="warning_signs", on=dt.date(2022, 4, 1))
    assert new.values["spo2_max"] == {"value": 95, "source": "888/QĐ-BYT: SpO2 ≤ 95%", "confirmed": True}
    assert new.values["symptoms"]["value"] == base.values["symptoms"]["value"]
    assert new.unconfirmed_keys == []
    assert rule_in_force(kind="warning_signs", on=dt.date(2022, 3, 31)).value("spo2_max") == 96
