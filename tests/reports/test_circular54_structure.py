"""Circular 54 on either structure ("Theo địa giới"): the province's report and the reporting units' timeliness on
today's map by default (a pre-2025 commune's cases count in its default 2025 successor), and on the pre-2025 map
for the periods before 01/07/2025 (each commune of that time its own row, with the reports it sent)."""
import datetime as dt

import pytest
from django.utils import timezone

from reports import circular54, services
from tests.reports.test_circular54 import MONDAY, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def diseases(db):
    from reports.seed_rules import install

    install()


def test_the_province_report_on_either_structure(diseases, kontum, commune_a, commune_b, person_factory):
    from geo import areas

    province = areas.installation_province()  # Quảng Ngãi, 2025, with the former Kon Tum
    make_case(person_factory, commune_a, "dengue", MONDAY)
    make_case(person_factory, commune_b, "dengue", MONDAY)
    start, end = MONDAY, MONDAY + dt.timedelta(days=6)
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    today = circular54.build("weekly", province, start, end)
    rows = {r["unit_id"]: r for r in today["rows"]}
    assert today["structure"] == "2025" and rows[new_a.pk]["cells"]["dengue"]["cases"] == 1
    assert rows[new_a.pk]["district"] == ""  # no districts on the 2025 map
    assert commune_a.pk not in rows and today["totals"]["dengue"]["cases"] == 2
    old = circular54.build("weekly", province, start, end, areas.PRE_2025)
    rows = {r["unit_id"]: r for r in old["rows"]}
    assert old["structure"] == "pre2025" and len(rows) == 102  # every commune of the former Kon Tum
    assert rows[commune_a.pk]["cells"]["dengue"]["cases"] == 1 and rows[commune_a.pk]["district"] == commune_a.parent.name
    assert old["totals"]["dengue"]["cases"] == 2


def test_timeliness_on_the_pre2025_map_counts_the_reports_of_that_time(diseases, kontum, commune_a, personas, client_for, monkeypatch):
    from geo import areas

    start, end = MONDAY, MONDAY + dt.timedelta(days=6)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.combine(end + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC))
    services.generate_circular54(kind="weekly", unit=commune_a, anchor=start, by=personas["commune_a"], submit=True)
    province = areas.installation_province()
    old = circular54.timeliness("weekly", province, start, end, structure=areas.PRE_2025)
    assert {r["unit_id"]: r["status"] for r in old["rows"]}[commune_a.pk] == "on_time"
    assert old["counts"]["on_time"] == 1 and len(old["rows"]) == 102
    today = circular54.timeliness("weekly", province, start, end)
    assert today["structure"] == "2025" and today["counts"]["on_time"] == 0  # the 2025 communes sent nothing
    client = client_for(personas["health_dept"])
    page = client.get(f"/reports/thong-tu-54/?ngay={MONDAY:%d/%m/%Y}&structure=pre2025")
    assert page.status_code == 200 and page.context["state"]["structure"] == "pre2025"
    html = page.content.decode()
    assert 'data-structure="pre2025"' in html and commune_a.name in html
    assert page.context["units"][0].structure == "pre2025"  # the picker offers the units of the map shown first
    assert client.get(f"/reports/thong-tu-54/?ngay={MONDAY:%d/%m/%Y}").context["state"]["structure"] == "2025"
    # Someone who sees the whole installation is offered today's units first.
    today_page = client_for(personas["admin"]).get(f"/reports/thong-tu-54/?ngay={MONDAY:%d/%m/%Y}")
    assert today_page.context["units"][0].structure == "2025"
