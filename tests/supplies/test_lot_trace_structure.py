"""The recall trace of a lot on either structure: each recipient keeps the commune of his record; the page and its
XLSX name it on the map asked for (the installation's by default), with the switch."""
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from supplies.models import Lot
from tests.conftest import make_person

from .conftest import receive

pytestmark = pytest.mark.usefixtures("old_structure")  # today's dose on a pre-2025 commune (a pre-2025 installation)


def test_the_lot_trace_names_each_recipients_commune_on_either_map(personas, catalogue, stores, commune_a, client_for):
    from vaccination import services
    from vaccination.models import Product

    today = timezone.localdate()
    receive(personas["health_dept"], stores["site_a"], catalogue["comirnaty"], 6, lot="RECALL9", expires=today + dt.timedelta(days=60))
    person = make_person(commune_a, full_name="Trần Thị Bình", date_of_birth=dt.date(1970, 5, 10), sex="F")
    services.record_injection(by=personas["vaccinator_a"], person=person, product=Product.objects.get(code="comirnaty"),
                              dose_kind="primary", dose_number=1, given_on=today, lot="RECALL9", facility=stores["site_a_facility"])
    lot = Lot.objects.get(code="RECALL9")
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    c = client_for(personas["district_a"])
    page = c.get(f"/supplies/lo/{lot.pk}/")
    # This installation works on the pre-2025 map: the commune of the record, the switch offering today's map.
    assert [p.unit_label for p in page.context["people"]] == [commune_a.name]
    html = page.content.decode()
    assert 'data-structure="pre2025"' in html and "structure=2025" in html
    today_map = c.get(f"/supplies/lo/{lot.pk}/?structure=2025")
    assert [p.unit_label for p in today_map.context["people"]] == [f"{commune_a.name} (nay: {new_a.name})"]
    xlsx = c.get(f"/supplies/lo/{lot.pk}/?xuat=xlsx&structure=2025")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert any(r[0] == "Trần Thị Bình" and r[2] == f"{commune_a.name} (nay: {new_a.name})" for r in rows)
