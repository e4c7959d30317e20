"""The screens: a measles case created in the form, investigated and confirmed by IgM on its page; lists and the API
filtered by disease; the Department of Health loads a pack in the UI and sees each error with its line."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.conftest import make_person

D = dt.date
RASH = ["fever", "maculopapular_rash", "coryza"]


def test_a_suspected_measles_case_is_created_investigated_and_confirmed_on_its_pages(personas, client_for, commune_a):
    child = make_person(commune_a, full_name="Lê Minh Khang", birth_year=2019)
    c = client_for(personas["commune_a"])
    page = c.get(reverse("cases:create") + f"?person={child.pk}")
    assert "Phát ban dát sẩn" in page.content.decode() and "Sởi" in page.content.decode()
    refused = c.post(reverse("cases:create"), {"person": child.pk, "disease": "measles", "classification": "confirmed",
                                               "test_kind": "", "confirmed_on": "03/03/2025", "detected_in": "community",
                                               "care_setting": "home", "severity": "mild", "clinical_signs": RASH})
    assert "Ca xác định phải có xét nghiệm khẳng định dương tính" in refused.content.decode()
    c.post(reverse("cases:create"), {"person": child.pk, "disease": "measles", "classification": "suspected", "test_kind": "",
                                     "confirmed_on": "03/03/2025", "detected_in": "community", "care_setting": "home",
                                     "severity": "mild", "clinical_signs": RASH, "can_self_care": "on", "has_phone": "on"})
    case = Case.objects.get(person=child)
    assert (case.disease.code, case.classification, case.test_kind) == ("measles", "suspected", "")
    url = reverse("cases:investigation", args=[case.pk])
    page = c.get(url).content.decode()
    assert "Ngày bắt đầu phát ban" in page and "Định nghĩa ca bệnh sởi chuẩn của WHO" in page
    c.post(url, {"action": "investigate", "version": case.version, "q-rash_onset": "01/03/2025", "q-doses_before_onset": "0",
                 "q-travel_21_days": "on"})
    case.refresh_from_db()
    assert case.investigation["rash_onset"] == "2025-03-01" and case.investigation["travel_21_days"] is True
    c.post(url, {"action": "classify", "version": case.version, "classification": "confirmed", "test_kind": "igm",
                 "clinical_signs": RASH})
    case.refresh_from_db()
    assert (case.classification, case.test_kind) == ("confirmed", "igm")
    assert "01/03/2025" in c.get(url).content.decode()


def test_lists_and_the_api_take_a_disease(personas, client_for, api_for, commune_a):
    by = personas["commune_a"]
    services.open_case(by=by, person=make_person(commune_a, full_name="Bé Sởi", birth_year=2019), disease="measles",
                       confirmed_on=D(2025, 3, 3), test_kind="igm", clinical_signs=RASH)
    services.open_case(by=by, person=make_person(commune_a, full_name="Ông Covid", birth_year=1960),
                       confirmed_on=D(2022, 2, 5), test_kind="rapid_antigen")
    c = client_for(by)
    measles_page = c.get(reverse("cases:list") + "?disease=measles").content.decode()
    assert "Bé Sởi" in measles_page and "Ông Covid" not in measles_page
    everything = c.get(reverse("cases:list")).content.decode()
    assert "Bé Sởi" in everything and "Ông Covid" in everything
    api = api_for(by)
    names = [r["person_name"] for r in api.get("/api/cases/?disease=covid19").json()["results"]]
    assert names == ["Ông Covid"]


def test_the_department_of_health_loads_a_pack_and_sees_each_error_with_its_line(personas, client_for):
    c = client_for(personas["health_dept"])
    bad = b"code: bad\nname: X\nicd10: A00\ngroup: Z\nrules:\n- kind: nope\n  source_document: S\n  valid_from: 2024-01-01\n  values: {a: 1}\n"
    page = c.post(reverse("diseases:pack_load"), {"pack": SimpleUploadedFile("bad.yaml", bad)}).content.decode()
    assert "Nhóm bệnh phải là A, B hoặc C" in page and "<td>4</td>" in page and "<td>6</td>" in page
    good = open("tests/diseases/packs/hfmd.yaml", "rb").read()
    response = c.post(reverse("diseases:pack_load"), {"pack": SimpleUploadedFile("hfmd.yaml", good)})
    assert response.status_code == 302 and response["Location"].endswith("?disease=hfmd")
    page = c.get(response["Location"]).content.decode()
    assert "Tay chân miệng" in page and "B08.4" in page
    exported = c.get(reverse("diseases:pack_export", args=["hfmd"]))
    assert exported["Content-Disposition"] == 'attachment; filename="hfmd.yaml"' and b"B08.4" in exported.content


def test_the_health_department_creates_a_catch_up_campaign_and_opens_its_door_to_door_list(personas, client_for, commune_a):
    from geo.models import Village
    from vaccination.models import Campaign

    village = Village.objects.create(commune=commune_a, name="Thôn Kon Klor")
    make_person(commune_a, full_name="Bé Chưa Tiêm", date_of_birth=D(2020, 6, 1), village=village)
    make_person(commune_a, full_name="Anh Mười Hai", date_of_birth=D(2012, 6, 1), village=village)
    c = client_for(personas["health_dept"])
    form = {"name": "Tiêm bù sởi 2025", "target": "catch_up", "disease": "measles", "age_min_months": 12, "target_pct": 95,
            "starts_on": "15/03/2023", "deadline": "31/03/2025", "unit": commune_a.pk}
    refused = c.post("/vaccination/chi-tieu/", form).content.decode()
    assert "Không có quy định chính sách tiêm chủng cho Sởi vào ngày 15/03/2023" in refused
    form["starts_on"] = "15/03/2025"
    assert c.post("/vaccination/chi-tieu/", form).status_code == 302
    campaign = Campaign.objects.get(name="Tiêm bù sởi 2025")
    assert (campaign.disease.code, campaign.age_min_months, campaign.age_below, campaign.target_doses) == ("measles", 12, 11, 2)
    missing = c.get(f"/vaccination/chi-tieu/{campaign.pk}/con-thieu/?ngay=20/03/2025").content.decode()
    assert "Bé Chưa Tiêm" in missing and "Anh Mười Hai" not in missing and f"chien-dich={campaign.pk}" in missing
    door = c.get(f"/vaccination/di-tung-nha/{village.pk}/?chien-dich={campaign.pk}&ngay=20/03/2025").content.decode()
    assert "Bé Chưa Tiêm" in door and "Mũi 1 vắc xin phòng sởi" in door and "Anh Mười Hai" not in door
