"""Dengue warning signs on the monitoring check (issue 13 §2): the form asks for what the dengue rule in force judges
(its own signs, labelled in the rule, and systolic < 90; no SpO2), and a check with a sign raises an alert on the
station's board named by the sign, exactly as SpO2 ≤ 96 % does for COVID-19 — on the form, the API and the phone."""
import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Alert, Check
from core.errors import Invalid
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("old_structure")]


@pytest.fixture
def dengue_case(personas, commune_a):
    from diseases.packs import install_missing

    install_missing("dengue")
    person = make_person(commune_a, full_name="Trần Thị Sốt", birth_year=1990, phone="0905000111")
    return services.open_case(by=personas["commune_a"], person=person, disease="dengue", test_kind="ns1",
                              confirmed_on=timezone.localdate() - dt.timedelta(days=1))


def test_the_check_form_of_a_dengue_case_lists_its_warning_signs_and_hides_spo2(dengue_case, personas, client_for, open_case):
    page = client_for(personas["care_a"]).get(f"/cases/{dengue_case.pk}/").content.decode()
    check = page[page.index('id="check"'):page.index('id="transfer"')]
    # The signs come from the rule's symptom_labels, in the user's language; the 261 form's symptoms are not offered.
    assert "Dấu hiệu cảnh báo" in check and "Xuất huyết niêm mạc" in check and 'value="abdominal_pain"' in check
    assert "Mất vị giác" not in check
    assert 'name="systolic"' in check and 'name="temperature"' in check
    assert 'name="spo2"' not in check and 'name="respiratory_rate"' not in check and 'name="pulse"' not in check
    en = client_for(personas["care_a"])
    en.cookies["django_language"] = "en"
    assert "Mucosal bleeding" in en.get(f"/cases/{dengue_case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A COVID-19 case keeps the whole form of 261/QĐ-BYT.
    covid = open_case(confirmed_on=timezone.localdate() - dt.timedelta(days=1))
    page = client_for(personas["care_a"]).get(f"/cases/{covid.pk}/").content.decode()
    assert 'name="spo2"' in page and 'value="loss_taste_smell"' in page


def test_a_dengue_sign_on_the_form_raises_an_alert_named_by_the_sign(dengue_case, personas, client_for):
    c = client_for(personas["care_a"])
    c.post(f"/cases/{dengue_case.pk}/phieu-theo-doi/", {"symptoms": ["mucosal_bleeding"], "temperature": "38,5",
                                                        "idempotency_key": "d1"})
    alert = Alert.objects.get(case=dengue_case)
    assert [s["code"] for s in alert.signs] == ["symptom:mucosal_bleeding"]
    assert alert.message == "Xuất huyết niêm mạc"
    board = c.get("/cases/canh-bao/").content.decode()
    assert "Xuất huyết niêm mạc" in board and "Trần Thị Sốt" in board
    # A check without a sign raises nothing.
    c.post(f"/cases/{dengue_case.pk}/phieu-theo-doi/", {"temperature": "37,5", "idempotency_key": "d2"})
    assert Alert.objects.filter(case=dengue_case).count() == 1 and Check.objects.filter(case=dengue_case).count() == 2


def test_the_dengue_systolic_threshold_comes_from_its_rule(dengue_case, personas):
    ok = services.record_check(by=personas["care_a"], case=dengue_case, data={"systolic": 90})
    low = services.record_check(by=personas["care_a"], case=dengue_case, data={"systolic": 89})
    assert ok.signs == [] and [s["code"] for s in low.signs] == ["systolic_low"]
    # SpO2 is not a dengue sign (the rule's spo2_max is null), even low.
    assert services.record_check(by=personas["care_a"], case=dengue_case, data={"spo2": 90}).signs == []


def test_the_check_api_takes_the_disease_signs_and_refuses_unknown_codes(dengue_case, personas, api_for):
    api = api_for(personas["care_a"])
    r = api.post(f"/api/cases/{dengue_case.pk}/checks/", {"symptoms": ["lethargy", "fever"]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["warning_signs"] == [{"code": "symptom:lethargy", "message_vi": "Li bì hoặc vật vã",
                                          "message_en": "Lethargy or restlessness"}]
    assert r.json()["alert"]["message"] == "Li bì hoặc vật vã"
    r = api.post(f"/api/cases/{dengue_case.pk}/checks/", {"symptoms": ["not-a-sign"]}, format="json")
    assert r.status_code == 400 and "not-a-sign" in r.json()["message_en"]


def test_a_covid_case_refuses_a_dengue_sign_code(open_case, personas):
    case = open_case(confirmed_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Invalid):
        services.record_check(by=personas["care_a"], case=case, data={"symptoms": ["mucosal_bleeding"]})


def test_the_phone_is_shipped_each_disease_rules_and_each_patient_disease(dengue_case, personas, api_for):
    from cases.selectors import field_patient_rows

    session = api_for(personas["care_a"]).get("/api/field/session/").json()
    [version] = session["rules_by_disease"]["dengue"]
    labels = {e["code"]: e["vi"] for e in version["values"]["symptom_labels"]}
    assert labels["mucosal_bleeding"] == "Xuất huyết niêm mạc" and version["values"]["systolic_below"] == 90
    assert "covid19" in session["rules_by_disease"]
    assert field_patient_rows([dengue_case.pk])[dengue_case.pk]["disease"] == "dengue"
