"""The leadership dashboard and the daily report's per-disease sections on the demo: every figure opens the case list
it counts, and the list's length equals the figure (a walk over every figure of every disease)."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEMO_DAY = "14/02/2022"


@pytest.fixture
def demo(kontum, settings):
    settings.PHONGDICH_DEMO = True  # the demo installation: its accounts are not sent to change their password first
    call_command("demo", people=1500, stdout=open("/dev/null", "w"))
    from accounts.models import User

    return User.objects.filter(role="leadership").first()


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_every_figure_of_the_dashboard_and_the_daily_report_equals_its_list(demo, client_for):
    from diseases.models import Disease
    from reports import builder

    client = client_for(demo)
    codes = set(Disease.objects.values_list("code", flat=True))
    assert {"covid19", "measles", "dengue"} <= codes
    walked = 0
    for code in sorted(codes):
        for basis in ("onset", "report"):
            with CaptureQueriesContext(connection) as queries:
                page = client.get(reverse("reports:dashboard") + f"?benh={code}&theo={basis}&ngay={DEMO_DAY}")
            assert page.status_code == 200
            assert len(queries) <= 40, f"{len(queries)} queries on the {code} dashboard"
            data = page.context["data"]
            assert sum(f["value"] for f in data["daily"]) > 0, code
            html = page.content.decode()
            for f in data["figures"]:
                if f["value"] == 0 and f["key"] == "daily":
                    continue  # an empty day opens an empty list: checked below on one of them
                assert _list_count(client, f["url"]) == f["value"], (code, basis, f["key"], f["label"])
                walked += 1
            empty = next(f for f in data["daily"] if f["value"] == 0)
            assert _list_count(client, empty["url"]) == 0
            for c in data["coverage"]:
                assert _list_count(client, c["url"]) == c["missing"]
            # The tables on the page carry the figures' links.
            assert all(f["url"].replace("&", "&amp;") in html for f in data["rising"] + data["ages"] + data["weekly"])
            # The week comparison adds up with the daily curve.
            assert data["week"]["this"]["value"] == sum(f["value"] for f in data["daily"][-7:])
    assert walked > 300

    report = builder.build(dt.date(2022, 2, 14))
    sections = report["sections"]["diseases"]["diseases"]
    assert {d["code"] for d in sections} >= {"covid19", "measles", "dengue"}
    for d in sections:
        for key in ("today", "this_week", "last_week"):
            assert _list_count(client, d[key]["url"]) == d[key]["value"], (d["code"], key)
        assert _list_count(client, d["cumulative_url"]) == d["cumulative"]
        for r in d["rising"]:
            assert _list_count(client, r["url"]) == r["value"]
    # One demo build for the rest (it takes a while).
    check_rising_commune(demo, client_for)
    check_map(demo, client_for)


def check_rising_commune(demo, client_for):
    from cases.models import Case
    from geo import areas
    from geo.models import AdministrativeUnit

    data = client_for(demo).get(reverse("reports:dashboard") + f"?benh=measles&theo=report&ngay={DEMO_DAY}").context["data"]
    top = data["rising"][0]
    day = dt.date(2022, 2, 14)
    # Today's map by default: the 2025 commune's figure counts the pre-2025 communes that roll up into it.
    assert data["structure"] == "2025"
    commune = AdministrativeUnit.objects.get(pk=top["unit_id"])
    assert commune.structure == "2025"
    in_commune = Case.objects.filter(areas.under_q(commune, "commune", counting=True), disease__code="measles")
    this = in_commune.filter(confirmed_on__range=(day - dt.timedelta(days=6), day)).count()
    last = in_commune.filter(confirmed_on__range=(day - dt.timedelta(days=13), day - dt.timedelta(days=7))).count()
    assert (top["value"], top["last"], top["rise"]) == (this, last, this - last)
    assert all(top["rise"] >= r["rise"] for r in data["rising"])


def check_map(demo, client_for):
    client = client_for(demo)
    page = client.get(reverse("reports:dashboard") + f"?benh=dengue&ngay={DEMO_DAY}")
    geo = client.get(page.context["map_url"]).json()
    with_cases = [f["properties"] for f in geo["features"] if f["properties"].get("cases")]
    assert with_cases
    inc = {f["unit_id"]: f for f in page.context["data"]["incidence"]}
    for p in with_cases:
        f = inc[p["id"]]
        assert p["url"] == f["url"] and p["cases"] == f["value"]
        if f["population"]:
            assert p["value"] == round(f["value"] * 100_000 / f["population"], 1)


def test_only_report_readers_open_the_dashboard(personas, client_for):
    assert client_for(personas["commune_a"]).get(reverse("reports:dashboard")).status_code in (403, 404)
    assert client_for(personas["leader"]).get(reverse("reports:dashboard")).status_code == 200
