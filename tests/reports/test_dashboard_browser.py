"""In the browser: the leadership opens the dashboard, switches to measles, clicks the commune rising fastest and
lands on its case list, whose length is the figure it clicked."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import browser_login, make_person


def _cases(code, commune, days_ago):
    from cases.models import Case
    from diseases.models import Disease

    disease = Disease.objects.get_or_create(code=code, defaults={"name": {"measles": "Sởi"}.get(code, code)})[0]
    today = timezone.localdate()
    for n, ago in enumerate(days_ago):
        Case.objects.create(person=make_person(commune, full_name=f"Bệnh nhân {code} {n}", birth_year=2018), disease=disease,
                            commune=commune, confirmed_on=today - dt.timedelta(days=ago),
                            symptom_onset=today - dt.timedelta(days=ago + 1), test_kind="rt_pcr")


@pytest.mark.browser
def test_leadership_switches_to_measles_and_opens_the_rising_communes_list(personas, commune_a, commune_b, live_server, page):
    _cases("covid19", commune_b, [1, 2, 3])
    _cases("measles", commune_a, [1, 1, 2, 3, 4, 10])  # 5 this week against 1 last week: the steepest rise
    _cases("measles", commune_b, [2, 9, 10])  # 1 against 2: falling
    browser_login(page, live_server, "lanh_dao")
    # The leadership lands on the dashboard (its home), with the other home figures under the curves.
    page.wait_for_url("**/reports/dieu-hanh/")
    assert page.locator("h1").first.inner_text().startswith("Bảng điều hành")
    page.wait_for_selector("#other-figures[data-loaded] a.tile")  # the former home tiles, fetched under the curves
    # On the map of the fixtures' time (pre-2025 communes); the regrouping on today's map: test_dashboard_structure.py.
    page.goto(f"{live_server.url}/reports/dieu-hanh/?structure=pre2025")
    page.wait_for_selector("#curve-daily canvas")  # ECharts drew the curve
    page.click("#disease-tabs >> text=Sởi")
    page.wait_for_selector("#disease-tabs [aria-current=page][data-disease=measles]")
    rising = page.locator("#rising a[data-figure=rising]")
    assert rising.count() == 1 and rising.first.inner_text() == commune_a.name
    figure = int(page.locator("#rising tbody tr").first.locator("td").nth(2).inner_text())
    assert figure == 5
    rising.first.click()
    page.wait_for_selector("#case-count")
    assert "/cases/" in page.url and "benh=measles" in page.url and f"don_vi={commune_a.pk}" in page.url
    assert int(page.get_attribute("#case-count", "data-count")) == figure
