"""Issue 13 §2, "every screen, list, filter and API takes a disease, defaulting sensibly": the places that ignored it
(an outbreak created from its page, a test recorded from its form or the API, the unreachable board, the contact and
test lists' pickers, the dashboard's default) now take it; COVID-19 stays the default on the seeds."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("old_structure")]


def open_case(personas, commune, name="Nguyễn Văn An", disease=None, **kw):
    from cases.services import open_case as open_

    kw.setdefault("confirmed_on", timezone.localdate() - dt.timedelta(days=1))
    kw.setdefault("test_kind", "ns1" if disease == "dengue" else "rapid_antigen")
    return open_(by=personas["commune_a"], person=make_person(commune, full_name=name, birth_year=1990), disease=disease, **kw)


@pytest.fixture
def dengue(db):
    from diseases.packs import install_missing
    from diseases.seed_covid19 import install
    from diseases.selectors import get_disease

    install()
    install_missing("dengue")
    return get_disease("dengue")


def test_an_outbreak_created_on_its_page_takes_the_chosen_disease_and_closes_under_its_rule(dengue, personas, client_for,
                                                                                              commune_a):
    from contacts.models import Outbreak

    c = client_for(personas["commune_a"])
    page = c.get("/contacts/o-dich/").content.decode()
    assert 'name="disease"' in page and "Sốt xuất huyết Dengue" in page
    r = c.post("/contacts/o-dich/", {"disease": dengue.pk, "name": "Ổ SXH tổ 3", "commune": commune_a.pk,
                                     "place_kind": "village", "started_on": "01/07/2025"})
    assert r.status_code == 302, r.content.decode()[:1500]
    ob = Outbreak.objects.get(name="Ổ SXH tổ 3")
    assert ob.disease == dengue
    # Filtered by disease, the list shows it; COVID-19's does not.
    assert "Ổ SXH tổ 3" in c.get("/contacts/o-dich/?disease=dengue").content.decode()
    assert "Ổ SXH tổ 3" not in c.get("/contacts/o-dich/?disease=covid19").content.decode()


def test_an_outbreak_without_a_disease_is_the_default_one_and_refuses_a_case_of_another(dengue, personas, commune_a):
    from contacts import services
    from core.errors import Invalid

    ob = services.create_outbreak(by=personas["commune_a"], name="Ổ chợ", commune=commune_a, started_on=dt.date(2022, 2, 1))
    assert ob.disease_code == "covid19"
    case = open_case(personas, commune_a, "Người Sốt", disease="dengue")
    with pytest.raises(Invalid) as exc:
        services.add_case_to_outbreak(by=personas["commune_a"], outbreak=ob, case=case)
    assert "another disease" in exc.value.en
    services.add_case_to_outbreak(by=personas["commune_a"], outbreak=ob, case=open_case(personas, commune_a))


def test_a_test_is_recorded_for_the_chosen_disease_on_the_form_and_the_api(dengue, personas, client_for, api_for, commune_a):
    from testing.models import Test

    person = make_person(commune_a, full_name="Người Xét Nghiệm", birth_year=1990)
    lab = personas["lab"]
    c = client_for(lab)
    form = c.get(f"/testing/them/?person={person.pk}")
    assert 'name="disease"' in form.content.decode()
    r = c.post("/testing/them/", {"person": person.pk, "disease": "dengue", "kind": "rt_pcr", "sample_code": "SXH-1",
                                  "taken_on": "01/07/2025", "result": "pending"})
    assert r.status_code == 302, r.content.decode()[:1500]
    assert Test.objects.get(sample_code="SXH-1").disease == dengue
    api = api_for(lab)
    r = api.post("/api/tests/", {"person": person.pk, "kind": "rt_pcr", "sample_code": "COV-1", "taken_on": "2025-07-01"},
                 format="json")
    assert r.status_code == 201, r.content
    assert r.json()["disease"] == "covid19"  # not given: the default disease
    r = api.post("/api/tests/", {"person": person.pk, "disease": "dengue", "kind": "rt_pcr", "sample_code": "SXH-2",
                                 "taken_on": "2025-07-01"}, format="json")
    assert r.status_code == 201 and r.json()["disease"] == "dengue"
    assert {t["sample_code"] for t in api.get("/api/tests/?disease=dengue").json()["results"]} == {"SXH-1", "SXH-2"}
    # The list's picker keeps the disease across pages.
    page = c.get("/testing/?disease=dengue").content.decode()
    assert 'option value="dengue" selected' in page and "SXH-1" in page and "COV-1" not in page


def test_the_unreachable_board_takes_a_disease(dengue, personas, client_for, commune_a):
    from cases import board

    covid = open_case(personas, commune_a)
    sxh = open_case(personas, commune_a, "Người Sốt", disease="dengue")
    assert board.board(personas["care_a"], disease="dengue")["totals"]["active"] == 1
    assert set(board.metric_cases(personas["care_a"], "no_team", disease="covid19").values_list("pk", flat=True)) == {covid.pk}
    page = client_for(personas["commune_a"]).get("/cases/khong-lien-lac/?disease=dengue&metric=no_team").content.decode()
    assert 'option value="dengue" selected' in page and "Người Sốt" in page and covid.person.full_name not in page
    assert sxh.pk


def test_the_dashboard_opens_on_the_default_disease(dengue, personas, client_for):
    r = client_for(personas["leader"]).get("/reports/dieu-hanh/")
    assert r.context["disease"] == "covid19"


def test_the_campaign_list_takes_a_disease(dengue, personas, client_for, kontum):
    c = client_for(personas["health_dept"])
    r = c.post("/vaccination/chi-tieu/", {"name": "Mũi 2 cho 18+", "target": "full", "age_min": 18, "target_pct": 100,
                                          "starts_on": "15/07/2021", "deadline": "31/12/2021", "unit": kontum.pk, "source": "004"})
    assert r.status_code == 302
    assert "Mũi 2 cho 18+" in c.get("/vaccination/chi-tieu/?ngay=14/12/2021&disease=covid19").content.decode()
    page = c.get("/vaccination/chi-tieu/?ngay=14/12/2021&disease=dengue").content.decode()
    assert "Mũi 2 cho 18+" not in page and 'option value="dengue" selected' in page
