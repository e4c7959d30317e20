"""The case list on either structure ("Theo địa giới"): a case keeps the commune of its time; on today's map (the
default) its row names the 2025 commune it rolls up to and a 2025 commune's filter holds it; with the switch the
row shows its own unit and the pre-2025 commune's filter holds it. A divided commune's cases follow its default
successor (geo.areas.under_q counting=True), as every figure counts them."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from geo.models import AdministrativeUnit, Level, UnitCorrespondence
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_a(commune_a):
    return commune_a.successor_links.get(is_default=True).new_unit


def _rows(page):
    return {c.person.full_name: c.unit_label for c in page.context["page_obj"]}


def test_a_pre2025_case_rolls_up_into_its_2025_commune_by_default(open_case, personas, commune_a, new_a, client_for):
    open_case(full_name="Trần Thị Bình")
    client = client_for(personas["admin"])
    page = client.get("/cases/")
    assert page.status_code == 200
    assert _rows(page) == {"Trần Thị Bình": f"{commune_a.name} (nay: {new_a.name})"}
    html = page.content.decode()
    assert f"{commune_a.name} (nay: {new_a.name})" in html and 'data-structure="2025"' in html
    # The filter offers today's communes; the 2025 commune holds the case recorded on its predecessor.
    communes = list(page.context["communes"])
    assert communes and {c.structure for c in communes} == {"2025"}
    assert _rows(client.get(f"/cases/?commune={new_a.pk}")) == {"Trần Thị Bình": f"{commune_a.name} (nay: {new_a.name})"}
    # Another 2025 commune does not.
    other = AdministrativeUnit.objects.filter(structure="2025", level=Level.COMMUNE, parent=new_a.parent).exclude(pk=new_a.pk).first()
    assert _rows(client.get(f"/cases/?commune={other.pk}")) == {}
    assert Case.objects.get().commune_id == commune_a.pk  # the record keeps its unit


def test_with_the_switch_the_case_shows_its_own_unit(open_case, personas, commune_a, commune_a2, new_a, client_for):
    open_case(full_name="Trần Thị Bình")
    client = client_for(personas["admin"])
    page = client.get("/cases/?structure=pre2025")
    assert _rows(page) == {"Trần Thị Bình": commune_a.name}
    assert {c.structure for c in page.context["communes"]} == {"pre2025"}
    assert _rows(client.get(f"/cases/?structure=pre2025&commune={commune_a.pk}")) == {"Trần Thị Bình": commune_a.name}
    assert _rows(client.get(f"/cases/?structure=pre2025&commune={commune_a2.pk}")) == {}
    # A pre-2025 district holds it too; a bad id shows an empty list, not an error.
    assert len(_rows(client.get(f"/cases/?commune={commune_a.parent_id}"))) == 1
    assert client.get("/cases/?commune=abc").status_code == 200


def test_a_case_on_a_2025_commune_shows_under_its_predecessor_on_the_old_map(open_case, personas, commune_a, new_a, client_for):
    case = open_case(full_name="Lê Văn Cường")
    Case.objects.filter(pk=case.pk).update(commune=new_a)  # recorded after 01/07/2025 on today's unit
    first_old = (UnitCorrespondence.objects.filter(new_unit=new_a, is_default=True).order_by("old_unit__code")
                 .first().old_unit)
    client = client_for(personas["admin"])
    assert _rows(client.get("/cases/")) == {"Lê Văn Cường": new_a.name}
    assert _rows(client.get("/cases/?structure=pre2025")) == {"Lê Văn Cường": f"{new_a.name} (trước: {first_old.name})"}
    assert len(_rows(client.get(f"/cases/?commune={first_old.pk}&structure=pre2025"))) == 1


def test_a_divided_commune_cases_follow_its_default_successor(open_case, personas, commune_b, client_for):
    default = commune_b.successor_links.get(is_default=True).new_unit
    other = (AdministrativeUnit.objects.filter(parent=default.parent, level=Level.COMMUNE).exclude(pk=default.pk)
             .order_by("code").first())
    UnitCorrespondence.objects.create(old_unit=commune_b, new_unit=other, is_default=False)
    open_case(person=make_person(commune_b, full_name="Phạm Văn Dũng"))
    client = client_for(personas["admin"])
    assert _rows(client.get(f"/cases/?commune={default.pk}")) == {"Phạm Văn Dũng": f"{commune_b.name} (nay: {default.name})"}
    assert _rows(client.get(f"/cases/?commune={other.pk}")) == {}


def test_the_labels_cost_one_query_for_the_page(open_case, personas, client_for):
    client = client_for(personas["admin"])
    open_case()
    with CaptureQueriesContext(connection) as one:
        client.get("/cases/")
    for i in range(6):
        open_case(full_name=f"Người bệnh {i}")
    with CaptureQueriesContext(connection) as seven:
        client.get("/cases/")
    assert len(seven) == len(one)


def test_the_api_commune_filter_takes_either_structure(open_case, personas, commune_a, new_a, api_for):
    """GET /api/cases/?commune= filters as the page does: today's commune holds the case on its predecessor."""
    open_case(full_name="Trần Thị Bình")
    api = api_for(personas["admin"])

    def count(unit_id):
        answer = api.get(f"/api/cases/?commune={unit_id}")
        assert answer.status_code == 200, answer.content
        return answer.json()["count"]

    assert count(new_a.pk) == 1
    assert count(commune_a.pk) == 1
    other = AdministrativeUnit.objects.filter(structure="2025", level=Level.COMMUNE, parent=new_a.parent).exclude(pk=new_a.pk).first()
    assert count(other.pk) == 0
