"""API answers that used to be 500s (issue #11): each is now a documented 4xx or a success."""
import pytest

pytestmark = pytest.mark.django_db

CCCD_AN = "062080001234"  # Kon Tum, man born 1980


def test_a_chain_with_a_non_numeric_generation_count_is_a_400(api_for, personas, commune_a, person_factory):
    import datetime as dt

    from cases.services import open_case

    case = open_case(by=personas["commune_a"], person=person_factory(commune_a), confirmed_on=dt.date(2022, 2, 1), test_kind="rt_pcr")
    api = api_for(personas["commune_a"])
    for params in ({"up": "abc"}, {"down": "-1"}, {"up": "²"}, {"up": "1.5"}):
        r = api.get(f"/api/chains/{case.pk}/", params)
        assert r.status_code == 400, (params, r.status_code)
        assert "whole number" in str(r.json())
    assert api.get(f"/api/chains/{case.pk}/", {"up": "2", "down": "0"}).status_code == 200


def test_acknowledging_an_alert_with_a_non_numeric_id_is_a_404(api_for, personas):
    api = api_for(personas["commune_a"])
    for pk in ("AAA", "²", "1e3"):
        assert api.post(f"/api/alerts/{pk}/acknowledge/", {}, format="json").status_code == 404


def test_patching_a_person_with_a_cccd_without_resending_it_keeps_the_id(api_for, personas, commune_a, person_factory):
    p = person_factory(commune_a, full_name="Nguyễn Văn An", birth_year=1980, sex="M", id_kind="cccd", id_number=CCCD_AN)
    r = api_for(personas["commune_a"]).patch(f"/api/people/{p.pk}/", {"phone": "0905123456", "version": p.version}, format="json")
    assert r.status_code == 200, r.json()
    p.refresh_from_db()
    assert p.phone == "0905123456" and p.id_number == CCCD_AN and p.id_kind == "cccd"
    # Changing only the kind still needs the number.
    r = api_for(personas["commune_a"]).patch(f"/api/people/{p.pk}/", {"id_kind": "cmnd", "version": p.version}, format="json")
    assert r.status_code == 400
