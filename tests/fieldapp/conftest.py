import datetime as dt

import pytest

from tests.conftest import make_person

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _old_structure(old_structure):
    """Every field app test records today's care on the fixtures' pre-2025 communes (tests.conftest.old_structure)."""


@pytest.fixture(autouse=True)
def _rules(db):
    """Rule versions come from data migrations; a live-server test elsewhere may have flushed them."""
    from contacts.seed_rules import install
    from diseases.seed_covid19 import install as install_covid

    install_covid()
    install()
    from diseases.rules import clear_local

    clear_local()


@pytest.fixture
def home_case(personas, commune_a):
    """home_case(**kw) → an active home case in commune A, confirmed two days ago."""
    from cases import services

    def make(full_name="Nguyễn Văn An", birth_year=1980, **kw):
        person = make_person(commune_a, full_name=full_name, birth_year=birth_year, phone="0905123456")
        kw.setdefault("confirmed_on", dt.date.today() - dt.timedelta(days=2))
        kw.setdefault("test_kind", "rapid_antigen")
        return services.open_case(by=personas["commune_a"], person=person, **kw)

    return make


@pytest.fixture
def contact_of(personas, commune_a):
    from contacts import services

    def make(case, full_name="Trần Thị Bình"):
        person = make_person(commune_a, full_name=full_name, birth_year=1990, sex="F")
        return services.add_contact(by=personas["commune_a"], source_case=case, person=person,
                                    last_exposure_on=dt.date.today() - dt.timedelta(days=1))

    return make


def upload(api, *entries):
    r = api.post("/api/field/upload/", {"entries": list(entries)}, format="json")
    assert r.status_code == 200, r.content
    return r.json()["answers"]


def download(api, worklist, cursor=None):
    url = f"/api/field/worklists/{worklist}/" + (f"?cursor={cursor}" if cursor else "")
    r = api.get(url)
    assert r.status_code == 200, r.content
    return r.json()


def download_all(api, worklist, cursor=None):
    """Every page; (records, ids, cursor)."""
    got = []
    while True:
        page = download(api, worklist, cursor)
        got += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return got, page["ids"], cursor


@pytest.fixture
def dose1_campaign(personas, kontum):
    """The province's "at least one dose for 18+" campaign, in progress."""
    from vaccination.outreach import create_campaign

    return create_campaign(by=personas["health_dept"], data={
        "name": "Tiêm mũi 1 cho người từ 18 tuổi", "target": "dose1", "age_min": 18, "starts_on": TODAY - dt.timedelta(days=10),
        "deadline": TODAY + dt.timedelta(days=20), "unit": kontum})


@pytest.fixture
def screening(personas, kontum):
    """screening(**kw) → a screening campaign of the province whose window holds today, accepting rapid tests."""
    from testing.campaigns import create_campaign

    def make(name="Giáo viên sau Tết", deadline=TODAY + dt.timedelta(days=3), within_days=7):
        return create_campaign(by=personas["health_dept"], name=name, unit=kontum, deadline=deadline, within_days=within_days,
                               accepted_kinds=["rapid_antigen"])

    return make
