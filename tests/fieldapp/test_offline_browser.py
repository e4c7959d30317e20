"""A care-team member's rounds with the signal off, in headless Chromium at the size of a 5-inch phone: download the
worklist, go offline, record three checks (one with SpO2 95 %), reload, come back online: the server has exactly three
checks and one new alert, the phone says the alert was sent, and a second sync sends nothing."""
import pytest

from cases.models import Alert, Check
from tests.conftest import browser_login


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def wait_synced(page, after="0"):
    page.wait_for_function("(after) => (document.body.dataset.synced || '0') > after", arg=after, timeout=20000)
    return page.evaluate("document.body.dataset.synced")


def record(page, name, spo2):
    page.click(f"#patients li:has-text('{name}') button")
    page.fill("#check-form input[name=spo2]", str(spo2))
    page.fill("#check-form input[name=respiratory_rate]", "16")
    if spo2 <= 96:
        page.wait_for_selector(f"#signs li:has-text('SpO2 {spo2}% ≤ 96%')")
    page.click("#check-form button")
    page.click("#view-patient button.back")


@pytest.mark.browser
def test_a_days_rounds_offline_are_synced_once_with_their_alert(home_case, personas, live_server, small_phone, api_for):
    _first, second = home_case(), home_case(full_name="Lê Thị Hoa", birth_year=1955)
    page = small_phone
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/fieldapp/")
    stamp = wait_synced(page)
    page.wait_for_selector("#patients li:has-text('Lê Thị Hoa')")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.context.set_offline(True)
    page.wait_for_selector("#net:has-text('Mất mạng')")
    record(page, "Nguyễn Văn An", 98)
    record(page, "Lê Thị Hoa", 95)
    record(page, "Nguyễn Văn An", 97)
    page.wait_for_selector("#queue-count:has-text('3 phiếu chưa gửi')")
    assert Check.objects.count() == 0

    # The page comes back from the service worker, the queue from IndexedDB.
    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.wait_for_selector("#queue-count:has-text('3 phiếu chưa gửi')")
    page.wait_for_selector("#patients li:has-text('Nguyễn Văn An')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a small phone

    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if "/api/field/upload/" in r.url else None)
    page.context.set_offline(False)
    stamp = wait_synced(page, stamp)
    page.wait_for_function("() => document.querySelector('#queue-count').textContent === ''")
    assert Check.objects.count() == 3
    assert sorted(Check.objects.filter(case=second).values_list("spo2", flat=True)) == [95]
    alert = Alert.objects.get()
    assert alert.case == second and alert.acknowledged_at is None
    # At once on the station's board of unacknowledged alerts.
    board = api_for(personas["commune_a"]).get("/api/alerts/").json()
    assert [a["id"] for a in board["results"]] == [alert.pk]
    # The phone says the alert went out.
    page.click(".tabs button[data-view=queue]")
    page.wait_for_selector("#sent li:has-text('Cảnh báo đã gửi tới Trạm Y tế')")
    assert len(uploads) == 1

    # A second sync sends nothing.
    page.click("#sync")
    wait_synced(page, stamp)
    assert len(uploads) == 1 and Check.objects.count() == 3 and Alert.objects.count() == 1


@pytest.mark.browser
def test_a_person_conflict_is_shown_with_both_versions_and_the_user_decides(home_case, personas, live_server, small_phone):
    from people import services

    case = home_case()
    page = small_phone
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/fieldapp/")
    stamp = wait_synced(page)
    page.wait_for_selector("#patients li:has-text('Nguyễn Văn An')")
    page.context.set_offline(True)
    page.click("#patients li button")
    page.fill("#person-form input[name=phone]", "0905999888")
    page.click("#person-form button")
    person = case.person
    services.update_person(by=personas["commune_a"], person=person, data={"phone": "0912000111"}, expected_version=person.version)
    page.context.set_offline(False)
    wait_synced(page, stamp)
    page.click(".tabs button[data-view=queue]")
    page.wait_for_selector("#queue li.state-conflict")
    text = page.inner_text("#queue li.state-conflict")
    assert "0905999888" in text and "0912000111" in text
    person.refresh_from_db()
    assert person.phone == "0912000111"
    page.click("#queue li.state-conflict button.keep-mine")
    page.wait_for_function("() => document.querySelector('#queue-count').textContent === ''")
    person.refresh_from_db()
    assert person.phone == "0905999888"


@pytest.mark.browser
def test_the_app_is_installable_and_keeps_no_personal_data_in_its_cache(home_case, live_server, small_phone):
    home_case()
    page = small_phone
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/fieldapp/")
    wait_synced(page)
    page.wait_for_selector("#patients li:has-text('Nguyễn Văn An')")
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert manifest["display"] == "standalone" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate("""async () => {
        const out = [];
        for (const name of await caches.keys()) {
            const c = await caches.open(name);
            for (const req of await c.keys()) out.push([req.url, await (await c.match(req)).text()]);
        }
        return out;
    }""")
    assert cached and not [u for u, _t in cached if "/api/" in u]
    assert not [u for u, t in cached if "Nguyễn Văn An" in t or "0905123456" in t]
    # Sign-out wipes the phone.
    page.click(".tabs button[data-view=settings]")
    page.click("#signout")
    page.wait_for_url(lambda url: "/fieldapp/" not in url)
    page.wait_for_load_state()
    left = page.evaluate("indexedDB.databases().then(dbs => dbs.map(d => d.name))")
    assert "phongdich-field" not in left


@pytest.mark.browser
def test_a_dose_a_rapid_test_and_a_new_person_recorded_offline_are_synced_once(dose1_campaign, screening, personas, live_server,
                                                                                small_phone, commune_a):
    """Commune staff at a vaccination session and a screening round with the signal off: a dose from today's session
    list, a rapid test from the screening targets, and a person found in the field with her own dose (named by the new
    person's key before the server knows her)."""
    import datetime as dt

    from geo.models import Village
    from people.models import Person
    from testing.models import CampaignTarget, Test
    from tests.conftest import make_person
    from vaccination.models import Injection

    village = Village.objects.create(commune=commune_a, name="Làng Plei Rơ")
    due = make_person(commune_a, full_name="Trần Văn Bình", date_of_birth=dt.date(1970, 5, 10), village=village)
    target = make_person(commune_a, full_name="Lê Thị Giáo", date_of_birth=dt.date(1985, 1, 2), sex="F")
    CampaignTarget.objects.create(campaign=screening(), person=target, group="Trường TH Quang Trung")
    people_before = Person.objects.count()

    page = small_phone
    browser_login(page, live_server, "tram_a")
    page.goto(f"{live_server.url}/fieldapp/")
    stamp = wait_synced(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.click(".tabs button[data-view=session]")
    page.wait_for_selector("#session li:has-text('Trần Văn Bình')")

    page.context.set_offline(True)
    page.wait_for_selector("#net:has-text('Mất mạng')")
    # A dose from today's session list: the form starts from the dose due.
    page.click("#session li:has-text('Trần Văn Bình') button")
    page.wait_for_selector("#view-dose", state="visible")
    assert page.input_value("#dose-form input[name=dose_number]") == "1"
    page.select_option("#dose-form select[name=product]", "comirnaty")
    page.fill("#dose-form input[name=lot]", "FF1234")
    page.click("#dose-form button")
    # A rapid test from the screening targets.
    page.click(".tabs button[data-view=screening]")
    page.click("#screening li:has-text('Lê Thị Giáo') button")
    page.fill("#test-form input[name=sample_code]", "TN-0001")
    page.select_option("#test-form select[name=result]", "negative")
    page.click("#test-form button")
    # A person found in the field, and her dose.
    page.click("#view-screening .add-person")
    page.fill("#newperson-form input[name=full_name]", "Y Hơn")
    page.fill("#newperson-form input[name=birth_year]", "1985")
    page.select_option("#newperson-form select[name=sex]", "F")
    page.fill("#newperson-form input[name=id_number]", "062185001234")
    page.select_option("#newperson-form select[name=village]", label="Làng Plei Rơ")
    page.click("#newperson-form button")
    page.click("#found li:has-text('Y Hơn') button.found-dose")
    page.select_option("#dose-form select[name=product]", "comirnaty")
    page.click("#dose-form button")
    page.wait_for_selector("#queue-count:has-text('4 phiếu chưa gửi')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.wait_for_selector("#queue-count:has-text('4 phiếu chưa gửi')")
    assert not Injection.objects.exists() and not Test.objects.exists() and Person.objects.count() == people_before

    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if "/api/field/upload/" in r.url else None)
    page.context.set_offline(False)
    stamp = wait_synced(page, stamp)
    page.wait_for_function("() => document.querySelector('#queue-count').textContent === ''")
    found = Person.objects.get(full_name="Y Hơn")
    assert (found.village, found.id_number) == (village, "062185001234") and Person.objects.count() == people_before + 1
    assert sorted(Injection.objects.values_list("person_id", "lot")) == sorted([(due.pk, "FF1234"), (found.pk, "")])
    assert list(Test.objects.values_list("person_id", "sample_code", "result")) == [(target.pk, "TN-0001", "negative")]
    # Who was vaccinated or sampled left the lists.
    page.click(".tabs button[data-view=session]")
    page.wait_for_selector("#session li:has-text('Lê Thị Giáo')")
    assert page.locator("#session li:has-text('Trần Văn Bình')").count() == 0
    page.click(".tabs button[data-view=screening]")
    page.wait_for_selector("#view-screening .empty", state="visible")
    assert len(uploads) == 1

    page.click("#sync")
    wait_synced(page, stamp)
    assert len(uploads) == 1 and Injection.objects.count() == 2 and Test.objects.count() == 1


@pytest.mark.browser
def test_a_dengue_patient_check_on_the_phone_asks_for_its_signs_and_raises_the_alert(home_case, live_server, small_phone):
    """The phone's check form of a dengue patient lists dengue's warning signs (from the shipped rule) with systolic
    pressure and no SpO2, names a ticked sign at once, and the server raises the same alert."""
    from diseases.packs import install_missing

    install_missing("dengue")
    home_case(full_name="Phạm Văn Sốt", disease="dengue", test_kind="ns1")
    home_case(full_name="Nguyễn Văn An")
    page = small_phone
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/fieldapp/")
    stamp = wait_synced(page)
    page.click("#patients li:has-text('Phạm Văn Sốt') button")
    # The patient opens from IndexedDB (asynchronously): wait for the form to be hers, as a user's eye would.
    page.wait_for_selector("#p-name:has-text('Phạm Văn Sốt')")
    page.wait_for_selector("#check-form input[name=spo2]", state="hidden")
    assert page.is_visible("#check-form input[name=systolic]")
    page.wait_for_selector("#symptoms legend:has-text('Dấu hiệu cảnh báo')")
    assert page.locator("#symptoms input[value=mucosal_bleeding]").count() == 1
    assert page.locator("#symptoms input[value=loss_taste_smell]").count() == 0
    page.check("#symptoms label:has-text('Xuất huyết niêm mạc') input")
    page.wait_for_selector("#signs li:has-text('Xuất huyết niêm mạc')")
    page.click("#check-form button")
    wait_synced(page, stamp)  # the check went up at once (online)
    alert = Alert.objects.get()
    assert alert.case.person.full_name == "Phạm Văn Sốt" and alert.message == "Xuất huyết niêm mạc"
    # A COVID-19 patient keeps the 261 form.
    page.click("#view-patient button.back")
    page.click("#patients li:has-text('Nguyễn Văn An') button")
    page.wait_for_selector("#p-name:has-text('Nguyễn Văn An')")
    page.wait_for_selector("#check-form input[name=spo2]", state="visible")
    assert page.locator("#symptoms input[value=loss_taste_smell]").count() == 1


@pytest.mark.browser
def test_in_english_the_phone_gives_the_servers_refusals_and_conflicts_in_english(home_case, personas, live_server,
                                                                                   small_phone):
    """The upload answers in both languages (core/api.py's one error shape); an English-speaking user reads English."""
    from people import services

    case = home_case()
    page = small_phone
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/fieldapp/")
    stamp = wait_synced(page)
    page.wait_for_selector("#patients li:has-text('Nguyễn Văn An')")
    page.context.set_offline(True)
    # An edit of the phone number the server will find in conflict...
    page.click("#patients li button")
    page.fill("#person-form input[name=phone]", "0905999888")
    page.click("#person-form button")
    # ...and a check the server refuses (SpO2 101 %), queued as the app queues it (the form would not let it through).
    page.evaluate("""(caseId) => import('/static/fieldapp/store.js').then((m) => m.queue.add({
        key: 'spo2-101', kind: 'check', case: caseId, taken_at: new Date().toISOString(), values: {spo2: 101},
        symptoms: [], label: 'Nguyễn Văn An', created: Date.now(), state: 'waiting'}))""", case.pk)
    person = case.person
    services.update_person(by=personas["commune_a"], person=person, data={"phone": "0912000111"}, expected_version=person.version)
    page.context.set_offline(False)
    page.click("#sync")
    wait_synced(page, stamp)
    page.click(".tabs button[data-view=queue]")
    refused = page.inner_text("#queue li.state-refused")
    assert "Rejected: Entry" in refused and "SpO2" in refused and "Phiếu" not in refused
    assert "Conflict: the record was changed on the server" in page.inner_text("#queue li.state-conflict")
    sent = page.inner_text("#sent")
    assert "The record was changed on the server after you downloaded it" in sent and "Entry" in sent
    assert "Hồ sơ đã được sửa" not in sent and "Phiếu" not in sent
