"""The unreachable board per commune on either structure ("Theo địa giới"): today's map by default, a 2025 commune's
figure is the sum of the pre-2025 communes that roll up into it; cases keep their unit."""
import pytest

from cases import board
from cases.models import Case
from geo import areas
from geo.models import UnitCorrespondence

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(commune_a):
    """commune_a's default 2025 successor and another pre-2025 commune that rolls up into it."""
    new = commune_a.successor_links.get(is_default=True).new_unit
    other = (UnitCorrespondence.objects.filter(new_unit=new, is_default=True).exclude(old_unit=commune_a)
             .select_related("old_unit").first().old_unit)
    return new, other


def test_the_board_groups_on_2025_communes_by_default(open_case, personas, commune_a, merged, client_for):
    new, other = merged
    open_case()
    open_case(full_name="Trần Thị Bình")
    moved = open_case(full_name="Lê Văn Cường")
    Case.objects.filter(pk=moved.pk).update(commune=other)
    admin = personas["admin"]
    old = {r["key"]: r["active"] for r in board.board(admin, "commune", structure=areas.PRE_2025)["rows"]}
    assert old == {commune_a.pk: 2, other.pk: 1}
    today = board.board(admin, "commune")
    assert today["structure"] == areas.FROM_2025
    rows = {r["key"]: r for r in today["rows"]}
    assert set(rows) == {new.pk}
    assert rows[new.pk]["active"] == old[commune_a.pk] + old[other.pk] == 3
    assert rows[new.pk]["label"] == new.name
    assert Case.objects.filter(commune=other).count() == 1  # the records keep their unit
    page = client_for(admin).get("/cases/khong-lien-lac/?by=commune&structure=pre2025")
    assert page.status_code == 200 and "Theo địa giới" in page.content.decode()
