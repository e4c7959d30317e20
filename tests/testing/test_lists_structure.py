"""Testing lists and exports on either structure: a pool and a campaign target keep the commune of their time; on
today's map (the default) the pool list and the campaign's XLSX name the 2025 commune it rolls up to; with the
switch, their own unit."""
import datetime as dt
import io

import pytest

from testing import services
from testing.campaigns import create_campaign
from testing.models import CampaignTarget

pytestmark = pytest.mark.django_db


def test_pools_and_the_campaign_export_on_either_structure(client_for, personas, commune_a, person_factory, kontum):
    from openpyxl import load_workbook

    new_a = commune_a.successor_links.get(is_default=True).new_unit
    services.create_pool(by=personas["lab"], code="G-1", size=10, commune=commune_a, taken_on=dt.date(2022, 2, 1))
    c = client_for(personas["health_dept"])
    page = c.get("/testing/mau-gop/")
    assert [p.unit_label for p in page.context["page_obj"]] == [f"{commune_a.name} (nay: {new_a.name})"]
    assert 'data-structure="2025"' in page.content.decode()
    assert [p.unit_label for p in c.get("/testing/mau-gop/?structure=pre2025").context["page_obj"]] == [commune_a.name]

    campaign = create_campaign(by=personas["health_dept"], name="KCN", unit=kontum, deadline=dt.date(2022, 2, 14),
                               within_days=2, accepted_kinds=["rt_pcr"])
    CampaignTarget.objects.create(campaign=campaign, person=person_factory(commune_a, full_name="Công Nhân A"), group="KCN")

    def communes(url):
        ws = load_workbook(io.BytesIO(c.get(url).content)).active
        return [row[4] for row in ws.iter_rows(min_row=3, values_only=True)]

    assert communes(f"/testing/sang-loc/{campaign.pk}/xuat.xlsx") == [f"{commune_a.name} (nay: {new_a.name})"]
    assert communes(f"/testing/sang-loc/{campaign.pk}/xuat.xlsx?structure=pre2025") == [commune_a.name]
    page = c.get(f"/testing/sang-loc/{campaign.pk}/?structure=pre2025").content.decode()
    assert "xuat.xlsx?structure=pre2025" in page
