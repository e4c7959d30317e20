"""API: doses in the jurisdiction, recording with refusal/override codes, coverage; outsiders get 404."""
import datetime as dt

D = dt.date


def test_it_records_doses_through_the_api_with_the_same_checks(api_for, personas, adult, products):
    api = api_for(personas["vaccinator_a"])
    body = {"person": adult.pk, "product": products["comirnaty"].pk, "dose_kind": "primary", "dose_number": 1, "given_on": "2021-12-01"}
    r = api.post("/api/vaccination/injections/", body, format="json")
    assert r.status_code == 201 and r.json()["completes_primary"] is False
    r = api.post("/api/vaccination/injections/", {**body, "dose_number": 2, "given_on": "2021-12-10"}, format="json")
    assert r.status_code == 422 and r.json()["findings"][0]["code"] == "too_early"
    assert "Quá sớm" in r.json()["findings"][0]["vi"]
    listed = api.get("/api/vaccination/injections/").json()
    assert listed["count"] == 1 and listed["results"][0]["person"] == adult.pk
    assert api_for(personas["commune_b"]).get("/api/vaccination/injections/").json()["count"] == 0
    assert api_for(personas["commune_b"]).post("/api/vaccination/injections/", {**body, "dose_number": 2, "given_on": "2021-12-22"},
                                               format="json").status_code in (403, 404)
    assert api_for(personas["leader"]).post("/api/vaccination/injections/", body, format="json").status_code == 403


def test_it_answers_coverage_with_the_level_figures(api_for, personas, adult, products, commune_a):
    from geo.models import PopulationEstimate

    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="F", age_band="50-64", population=2)
    api = api_for(personas["district_a"])
    api_for(personas["vaccinator_a"]).post("/api/vaccination/injections/", {
        "person": adult.pk, "product": products["comirnaty"].pk, "dose_kind": "primary", "dose_number": 1, "given_on": "2021-12-01"},
        format="json")
    j = api.get(f"/api/vaccination/injections/coverage/?unit={commune_a.pk}&on=2021-12-31").json()
    assert j["groups"]["50+"]["dose1"] == {"numerator": 1, "denominator": 2, "percentage": 50.0}
    assert j["levels"]["adult_1dose_pct"] == 50.0
    assert api_for(personas["commune_b"]).get(f"/api/vaccination/injections/coverage/?unit={commune_a.pk}").status_code == 404
