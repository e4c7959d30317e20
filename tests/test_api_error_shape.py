"""Every API error answers one shape: {"detail", "message_vi", "message_en", "errors": [{"field", "message_vi",
"message_en"}]} (core.api.exception_handler), field errors still keyed by field name; levels and contacts included."""


def _shaped(body):
    assert body["message_vi"] and body["message_en"] and body["detail"]
    assert body["errors"] and all({"field", "message_vi", "message_en"} <= set(e) for e in body["errors"])
    return {e["field"] for e in body["errors"]}


def test_levels_field_errors_in_vietnamese_and_english(personas, api_for):
    r = api_for(personas["health_dept"]).post("/api/levels/assess", {"new_cases_per_100k_week": 3}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert "date" in _shaped(body) and "date" in body  # still keyed by field name too
    err = next(e for e in body["errors"] if e["field"] == "date")
    assert err["message_vi"] == "Thiếu trường bắt buộc." and err["message_en"] == "This field is required."
    r = api_for(personas["health_dept"]).post("/api/levels/assess", {"date": "2022-02-10", "full_pct": 120}, format="json")
    assert r.status_code == 400 and "full_pct" in _shaped(r.json())
    assert "Giá trị quá lớn" in r.json()["message_vi"]


def test_contacts_errors_in_vietnamese_and_english(personas, api_for):
    r = api_for(personas["commune_a"]).post("/api/contacts/", {"setting": "nowhere"}, format="json")
    assert r.status_code == 400
    fields = _shaped(r.json())
    assert {"person", "source_case", "setting"} <= fields
    r = api_for(personas["commune_a"]).get("/api/contacts/", {"generations": "x"})
    r = api_for(personas["commune_a"]).get("/api/chains/1/", {"generations": "-1"})
    if r.status_code == 400:
        assert _shaped(r.json())


def test_malformed_json_not_found_and_invalid_share_the_shape(personas, api_for):
    api = api_for(personas["commune_a"])
    r = api.generic("POST", "/api/levels/assess", "{not json", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["message_en"] and _shaped(r.json()) == {None}
    r = api.get("/api/contacts/999999/")
    assert r.status_code == 404 and _shaped(r.json()) == {None}
    r = api.post("/api/levels/assess", {"date": "2021-01-01", "new_cases_per_100k_week": 3}, format="json")
    assert r.status_code == 400 and "Không có bộ tiêu chí" in r.json()["message_vi"] and _shaped(r.json())
