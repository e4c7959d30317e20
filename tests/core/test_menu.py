"""The menu is grouped by capability and shows each user only what his role may open."""


def test_it_groups_an_apps_pages_under_its_first_entry(personas, client_for):
    page = client_for(personas["health_dept"]).get("/people/").content.decode()
    assert '<details class="navgroup"><summary class="current">Người dân</summary>' in page
    assert 'href="/people/nhap/"' in page  # "Nhập danh sách" opens under "Người dân"


def test_leadership_sees_no_import_and_an_agency_officer_no_health_menu(personas, client_for):
    leader = client_for(personas["leader"]).get("/", follow=True).content.decode()  # his home: the dashboard
    assert 'href="/people/"' in leader and 'href="/people/nhap/"' not in leader
    officer = client_for(personas["agency"]).get("/").content.decode()
    assert 'href="/people/"' not in officer and 'href="/cases/"' not in officer
