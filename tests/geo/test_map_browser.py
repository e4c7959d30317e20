import json

import pytest

from geo.services import import_boundaries
from tests.conftest import browser_login


@pytest.mark.browser
def test_the_map_shows_centroids_then_polygons_once_boundaries_are_loaded(personas, commune_a, live_server, phone_page):
    page = phone_page
    browser_login(page, live_server, "tram_a")
    district = commune_a.parent
    n = district.children.count()
    page.goto(f"{live_server.url}/geo/ban-do/{district.pk}/")
    page.wait_for_selector("#unit-map[data-ready='1']")
    assert page.get_attribute("#unit-map", "data-features") == str(n)
    assert page.get_attribute("#unit-map", "data-points") == str(n)
    assert page.locator("#unit-map path.leaflet-interactive").count() == n

    square = {"type": "Polygon", "coordinates": [[[108.0, 14.3], [108.1, 14.3], [108.1, 14.4], [108.0, 14.4], [108.0, 14.3]]]}
    import_boundaries(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ma_xa": commune_a.code}, "geometry": square}]}))
    page.goto(f"{live_server.url}/geo/ban-do/{district.pk}/")
    page.wait_for_selector("#unit-map[data-ready='1']")
    assert page.get_attribute("#unit-map", "data-points") == str(n - 1)
