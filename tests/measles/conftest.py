import pytest


@pytest.fixture(autouse=True)
def measles(db):
    """The shipped measles pack, as the demo and an installation load it (phongdich diseases load)."""
    from diseases.packs import install_missing, load, shipped_pack
    from diseases.seed_covid19 import install

    install()
    install_missing("covid19")
    load(shipped_pack("measles"), "measles.yaml")
    from diseases.models import Disease

    return Disease.objects.get(code="measles")
