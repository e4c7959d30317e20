"""The outbreak list on either structure: an outbreak keeps the commune of its time; on today's map (the default)
its row names the 2025 commune it rolls up to; with the switch, only its own unit."""
import datetime as dt

import pytest

from contacts import services

pytestmark = pytest.mark.django_db


def test_outbreaks_name_the_commune_of_today(client_for, personas, commune_a):
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    services.create_outbreak(by=personas["commune_a"], name="Ổ dịch thôn 1", commune=commune_a, started_on=dt.date(2022, 2, 1))
    c = client_for(personas["health_dept"])
    page = c.get("/contacts/o-dich/")
    assert [o.unit_label for o in page.context["outbreaks"]] == [f"{commune_a.name} (nay: {new_a.name})"]
    assert 'data-structure="2025"' in page.content.decode()
    assert [o.unit_label for o in c.get("/contacts/o-dich/?structure=pre2025").context["outbreaks"]] == [commune_a.name]
